// AgencyHost: the guichet_host_v1 table the conformance checks hand a connector. It plays every
// agency at once: each HTTP call is answered by a function of the request (or fails at the transport
// level), each mail is accepted or refused, and everything the connector sent or logged is kept, so
// a check can inspect the connector's whole egress.
//
// Secrets: any name resolves to kSecret. Clock: fixed at kNowMs, like FakeHost's.
// Thread-safety: guarded by a mutex; a connector may call it from several threads.
#ifndef GUICHET_HUB_CONFORMANCE_AGENCY_HOST_H
#define GUICHET_HUB_CONFORMANCE_AGENCY_HOST_H

#include <guichet/sdk/connector.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace guichet::conformance {

using Json = nlohmann::json;

struct HttpAnswer {
  int status = 200;
  std::map<std::string, std::string> headers;  // lower-case names, as the hub hands them over
  std::string body;
};

class AgencyHost {
 public:
  static constexpr int64_t kNowMs = 1795000000000;  // 2026-11-18T08:53:20Z
  static constexpr const char* kSecret = "conformance-secret";

  // `answer` returns the agency's answer to one request {"method","url","headers","body"}, or
  // nothing for a transient transport failure (connection refused).
  using Responder = std::function<std::optional<HttpAnswer>(const Json& request)>;

  explicit AgencyHost(Responder answer);
  AgencyHost(const AgencyHost&) = delete;
  AgencyHost& operator=(const AgencyHost&) = delete;

  // From now on every mail is refused, as a transient (4xx SMTP) or permanent (5xx) failure.
  void refuse_mail(bool transient);

  std::vector<Json> requests() const;
  std::vector<Json> mails() const;
  std::vector<std::string> logs() const;
  // Every request, mail and log line, as one text to search for values that must not leave.
  std::string egress() const;

  const guichet_host_v1* table() const { return &table_; }

 private:
  static int http_entry(void* ctx, const char* data, size_t size, guichet_buffer* out);
  static int mail_entry(void* ctx, const char* data, size_t size, guichet_buffer* out);
  static void log_entry(void* ctx, int level, const char* text, size_t size);
  static int64_t now_entry(void* ctx);
  static int secret_entry(void* ctx, const char* name, size_t size, guichet_buffer* out);
  static void free_entry(void* ctx, guichet_buffer* buffer);

  Responder answer_;
  mutable std::mutex mutex_;
  std::vector<Json> requests_, mails_;
  std::vector<std::string> logs_;
  int mail_refusal_ = 0;  // 0 accepted, 1 transient, 2 permanent
  guichet_host_v1 table_{};
};

// The answer a token endpoint gives: a bearer token valid for an hour.
HttpAnswer token_answer();

// What a connector sent (a mail, an answer listing mails), as text to search for values that must
// not leave: its JSON, then the decoded bytes of every "content_base64", so that the text of an
// attachment such as an uncompressed PDF is searched too (a compressed stream would still hide it).
std::string searchable(const Json& sent);

}  // namespace guichet::conformance

#endif  // GUICHET_HUB_CONFORMANCE_AGENCY_HOST_H
