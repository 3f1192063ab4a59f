// The HTTP client behind the `http` host service: one exchange per call over pooled keep-alive
// sessions (Poco 1.11 has no pool of its own).
//
// Thread-safety: exchange() may run on many threads at once. A session is used by one exchange at a
// time: it is taken out of the pool for the exchange and returned after the body was read in full.
#ifndef GUICHET_HUB_CONNECTORS_HTTP_CLIENT_H
#define GUICHET_HUB_CONNECTORS_HTTP_CLIENT_H

#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace guichet::connectors {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The whole exchange, connection to last byte: an agency that trickles its answer cannot hold
  // a dispatch worker for longer.
  int timeout_ms = 10000;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined by ", "
  std::string body;
};

// The exchange did not happen or did not finish (refused, timed out, reset, TLS refused...).
struct HttpFailure : std::runtime_error {
  HttpFailure(const std::string& message, bool transient_)
      : std::runtime_error(message), transient(transient_) {}
  bool transient;
};

struct HttpClientOptions {
  std::size_t max_idle_per_origin = 8;
  // Shorter than the idle timeout of common servers (5 s and more), so that a pooled connection is
  // dropped by us before the server closes it under our feet.
  std::chrono::milliseconds idle_expiry{3000};
  std::size_t max_body_bytes = 16 * 1024 * 1024;
};

// "scheme://host:port" of an http or https URL (lower case, port made explicit), or nothing.
std::optional<std::string> origin_of(const std::string& url);

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request over HTTP/1.1 and reads the whole answer; any status is an answer. A pooled
  // connection the server closed meanwhile is retried once on a new connection, when the method is
  // idempotent or the failure came while sending the request head. Throws HttpFailure.
  HttpResponse exchange(const HttpRequest& request);

 private:
  using Session = std::unique_ptr<Poco::Net::HTTPClientSession>;
  using Clock = std::chrono::steady_clock;
  struct Idle {
    Session session;
    Clock::time_point since;
  };

  Session take(const std::string& origin);  // an idle session that has not expired, or nullptr
  void give_back(const std::string& origin, Session session);

  const HttpClientOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::vector<Idle>> idle_;  // by origin, most recently returned last
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_HTTP_CLIENT_H
