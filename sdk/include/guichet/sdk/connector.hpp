// Guichet connector SDK: write one class, add one macro.
//
//   class Caf : public guichet::sdk::Connector {
//    public:
//     using Connector::Connector;
//     Json render(const Json& dispatch) override;     // what would be sent, no host call
//     Outcome deliver(const Json& dispatch) override; // send it through host()
//   };
//   GUICHET_CONNECTOR(Caf, "caf", "1.0.0")
//
// The JSON a connector sees (all shapes are objects; absent optional members are omitted):
//   dispatch  {"request_id","case_id","need":{"kind",...},"idempotency_key","attempt",
//              "correlation","referent":{"id","department"},"person":{..},"situation":{..},
//              "agency_reference" (withdraw, answer), "reason" (withdraw),
//              "answer":{"text","idempotency_key"} (answer)}
//             An answer's text is the référent's words for the agency's question: personal data.
//             person/situation hold only the fields the manifest declares; the hub removed the rest.
//   outcome   Outcome::to_json(): {"result","agency_reference","message","retry_after_s"}
//   poll      in {"cursor":<json or null>,"open":[{"request_id","agency_reference","state"}]}
//             out {"events":[event..],"cursor":<json>,"reads_open":bool}
//             "open" is one page of the instance's open requests: a round of polls walks them all,
//             every page from the same cursor (docs/connector-guide.md). "reads_open": false (since
//             1.1, optional) says the answer did not depend on them: the round stops there.
//   inbound   in {"method","path","headers":{lower-case name: value},"body"}
//             out {"authentic":bool,"events":[event..]}
//   email     in {"from","subject","text","headers":{..},"request":{"request_id","agency_reference","state"}}
//             out {"events":[event..],"review":bool,"summary":"..."}
//   event     {"request_id" or "agency_reference","state","message","at" (RFC 3339)}
//   render    out {"requests":[{"method","url","headers":{..},"body"}..]} for a REST connector, or
//             {"mails":[send_mail message..]} for an e-mail one; either may add "info_requested"
//             with an empty list when the référent must act first. Secrets are shown as
//             literal stand-ins ("Bearer <token>"), never fetched. The conformance suite relies on
//             this shape to know which URLs are the agency's.
//
// Errors: throw anything derived from std::exception; the macro turns it into GUICHET_ERROR with the
// exception's message, which the hub records. Messages must never contain personal data.
// Thread-safety: the hub may call one instance from several threads; guard mutable members.
// Lifetime: the hub destroys the instance before it unloads the library, and never unloads it early.
#ifndef GUICHET_SDK_CONNECTOR_HPP
#define GUICHET_SDK_CONNECTOR_HPP

#include <guichet/sdk/abi.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace guichet::sdk {

using Json = nlohmann::json;

// Contract of every type below: plain values, unless said otherwise; nothing here is shared between
// threads except through Host, whose calls are thread-safe because the hub's services are.

// Serialises text that may come from outside (agency answers): invalid UTF-8 is replaced, not thrown.
inline std::string to_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A host service failed: the transport, not the agency. `transient` says whether retrying may help.
class HostError : public std::runtime_error {
 public:
  HostError(const std::string& message, bool transient)
      : std::runtime_error(message), transient_(transient) {}
  bool transient() const { return transient_; }

 private:
  bool transient_;
};

// One HTTP exchange to ask the host for. A value type; timeout_ms bounds the whole exchange.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
  int timeout_ms = 10000;

  Json to_json() const {
    return Json{{"method", method}, {"url", url}, {"headers", headers}, {"body", body},
                {"timeout_ms", timeout_ms}};
  }
};

// The agency's answer, whatever its status. A value type.
struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  // The body as JSON, or a discarded value when it is not JSON.
  Json json() const { return Json::parse(body, nullptr, false); }
  std::optional<std::string> header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

// Wraps the hub's C service table. Cheap to copy; valid as long as the instance lives.
// Ownership: every buffer the host fills is released here with the host's free_buffer, before
// returning. Errors: http, send_mail and secret throw HostError; log and now never fail.
// Thread-safety: any method may be called from any thread.
class Host {
 public:
  explicit Host(const guichet_host_v1* table) : table_(table) {}

  // Throws HostError when the exchange did not happen (refused, timed out, host not declared).
  // Any HTTP status, 5xx included, is an answer, not an error.
  HttpResponse http(const HttpRequest& request) const {
    Json answer = call(table_->http, to_text(request.to_json()));
    HttpResponse response;
    response.status = answer.value("status", 0);
    if (answer.contains("headers") && answer["headers"].is_object()) {
      for (auto& [name, value] : answer["headers"].items()) {
        if (value.is_string()) response.headers[name] = value.get<std::string>();
      }
    }
    response.body = answer.value("body", std::string());
    return response;
  }

  // Throws HostError when the mail server did not accept the message; its text is the reason
  // without personal data (e.g. "SMTP 550 5.1.1", never the server's words, which may quote addresses).
  void send_mail(const Json& message) const { call(table_->send_mail, to_text(message)); }

  void log(guichet_log_level level, std::string_view text) const {
    table_->log(table_->ctx, level, text.data(), text.size());
  }

  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(table_->now_ms(table_->ctx)));
  }

  // Throws HostError when the secret is not configured.
  std::string secret(std::string_view name) const {
    guichet_buffer out{nullptr, 0};
    int status = table_->secret(table_->ctx, name.data(), name.size(), &out);
    std::string value(out.data ? out.data : "", out.size);
    table_->free_buffer(table_->ctx, &out);
    if (status != GUICHET_OK) throw HostError("secret not configured: " + std::string(name), false);
    return value;
  }

 private:
  using Service = int (*)(void*, const char*, size_t, guichet_buffer*);

  Json call(Service service, const std::string& input) const {
    guichet_buffer out{nullptr, 0};
    int status = service(table_->ctx, input.data(), input.size(), &out);
    Json answer = Json::parse(std::string_view(out.data ? out.data : "", out.size), nullptr, false);
    table_->free_buffer(table_->ctx, &out);
    if (answer.is_discarded()) answer = Json::object();
    if (status != GUICHET_OK) {
      throw HostError(answer.value("message", std::string("host service failed")),
                      answer.value("transient", true));
    }
    return answer;
  }

  const guichet_host_v1* table_;
};

// What happened to one delivery, withdrawal or answer, as the hub's dispatcher understands it. A value
// type; `message` is recorded by the hub and shown to operators: ids and codes only, no personal data.
struct Outcome {
  enum class Result { sent, acknowledged, info_requested, refused, retry, config_error, data_error };

  Result result = Result::sent;
  std::string agency_reference;
  std::string message;
  int retry_after_s = 0;

  // The agency's channel took it (HTTP 2xx without a reference, SMTP 250).
  static Outcome sent() { return {}; }
  // The agency answered with its own reference for the request.
  static Outcome acknowledged(std::string reference) {
    return {Result::acknowledged, std::move(reference), {}, 0};
  }
  // The agency (or the connector's own rules) needs something from the référent first.
  static Outcome info_requested(std::string message) {
    return {Result::info_requested, {}, std::move(message), 0};
  }
  // A business refusal by the agency: a final answer, not an error.
  static Outcome refused(std::string message) { return {Result::refused, {}, std::move(message), 0}; }
  // Transient: try again later, not before `retry_after_s` when the agency said so.
  static Outcome retry(std::string message, int retry_after_s = 0) {
    return {Result::retry, {}, std::move(message), retry_after_s};
  }
  // The instance is misconfigured (credentials, scope, URL): retrying will not help.
  static Outcome config_error(std::string message) {
    return {Result::config_error, {}, std::move(message), 0};
  }
  // This request's data cannot be accepted: the référent must correct it.
  static Outcome data_error(std::string message) {
    return {Result::data_error, {}, std::move(message), 0};
  }

  static const char* name(Result result) {
    switch (result) {
      case Result::sent: return "sent";
      case Result::acknowledged: return "acknowledged";
      case Result::info_requested: return "info_requested";
      case Result::refused: return "refused";
      case Result::retry: return "retry";
      case Result::config_error: return "config_error";
      case Result::data_error: return "data_error";
    }
    return "retry";
  }

  Json to_json() const {
    Json out{{"result", name(result)}};
    if (!agency_reference.empty()) out["agency_reference"] = agency_reference;
    if (!message.empty()) out["message"] = message;
    if (retry_after_s > 0) out["retry_after_s"] = retry_after_s;
    return out;
  }
};

// Maps an agency's non-2xx HTTP answer to the failure type the hub acts on:
// 408, 425, 429 and 5xx are transient (honouring Retry-After in seconds); 401 and 403 mean the
// instance's credentials or scope are wrong; any other 4xx means the request's data was refused.
inline Outcome classify_http_failure(const HttpResponse& response, std::string_view agency) {
  std::string what = std::string(agency) + " answered HTTP " + std::to_string(response.status);
  int status = response.status;
  if (status == 408 || status == 425 || status == 429 || status >= 500 || status == 0) {
    int retry_after = 0;
    if (auto value = response.header("retry-after")) retry_after = std::atoi(value->c_str());
    return Outcome::retry(what, retry_after > 0 ? retry_after : 0);
  }
  if (status == 401 || status == 403) return Outcome::config_error(what);
  return Outcome::data_error(what);
}

// Raised by the default implementations of optional capabilities.
class Unsupported : public std::runtime_error {
 public:
  Unsupported() : std::runtime_error("capability not offered by this connector") {}
};

// Base class of every connector. `settings` were validated against the manifest's schema.
// Contract: render and deliver are required; each override receives only the fields the manifest
// declares. Errors: throw (see the top of this file); Unsupported for an optional capability.
// Lifetime: created by the hub's create() call, destroyed by its destroy(); never copied.
// Thread-safety: any method may run on several threads at once; guard mutable members.
class Connector {
 public:
  Connector(Host host, Json settings) : host_(host), settings_(std::move(settings)) {}
  virtual ~Connector() = default;
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  // Required: the agency request(s) a dispatch becomes, computed without calling the host.
  virtual Json render(const Json& dispatch) = 0;
  // Required: send the dispatch. Must send the same idempotency key on every attempt.
  virtual Outcome deliver(const Json& dispatch) = 0;
  // Optional capabilities; declare the ones you override in the manifest's "capabilities".
  virtual Outcome withdraw(const Json&) { throw Unsupported(); }
  // Carries the référent's answer to the agency's question. Send answer.idempotency_key, not the
  // delivery's: each answer is a new message, and its retries must be recognised as the same one.
  // acknowledged/sent: the agency has it and goes back to reviewing the request.
  virtual Outcome answer(const Json&) { throw Unsupported(); }
  virtual Json poll(const Json&) { throw Unsupported(); }
  virtual Json on_inbound(const Json&) { throw Unsupported(); }
  virtual Json on_email(const Json&) { throw Unsupported(); }

 protected:
  const Host& host() const { return host_; }
  const Json& settings() const { return settings_; }

 private:
  Host host_;
  Json settings_;
};

namespace detail {

inline void fill(guichet_buffer* out, const std::string& text) {
  out->data = static_cast<char*>(std::malloc(text.size() + 1));
  if (!out->data) {
    out->size = 0;
    return;
  }
  std::memcpy(out->data, text.data(), text.size());
  out->data[text.size()] = '\0';
  out->size = text.size();
}

inline void free_buffer(guichet_buffer* buffer) {
  if (!buffer) return;
  std::free(buffer->data);
  buffer->data = nullptr;
  buffer->size = 0;
}

inline int fail(guichet_buffer* out, int status, const std::string& message) {
  fill(out, to_text(Json{{"message", message}}));
  return status;
}

// The exception barrier: nothing thrown in a connector may cross the C boundary.
template <typename Body>
int guarded(guichet_buffer* out, Body&& body) {
  try {
    fill(out, to_text(body()));
    return GUICHET_OK;
  } catch (const Unsupported& e) {
    return fail(out, GUICHET_UNSUPPORTED, e.what());
  } catch (const Json::exception& e) {
    return fail(out, GUICHET_BAD_INPUT, e.what());
  } catch (const std::exception& e) {
    return fail(out, GUICHET_ERROR, e.what());
  } catch (...) {
    return fail(out, GUICHET_ERROR, "unknown error in connector");
  }
}

inline Json parse_input(const char* data, size_t size) {
  return Json::parse(std::string_view(data, size));
}

template <typename T>
struct Table {
  static T* self(void* instance) { return static_cast<T*>(instance); }

  static int create(const guichet_host_v1* host, const char* settings, size_t size, void** instance,
                    guichet_buffer* out) {
    return guarded(out, [&] {
      *instance = new T(Host(host), parse_input(settings, size));
      return Json::object();
    });
  }
  static void destroy(void* instance) { delete self(instance); }
  static int render(void* i, const char* d, size_t n, guichet_buffer* out) {
    return guarded(out, [&] { return self(i)->render(parse_input(d, n)); });
  }
  static int deliver(void* i, const char* d, size_t n, guichet_buffer* out) {
    return guarded(out, [&] { return self(i)->deliver(parse_input(d, n)).to_json(); });
  }
  static int withdraw(void* i, const char* d, size_t n, guichet_buffer* out) {
    return guarded(out, [&] { return self(i)->withdraw(parse_input(d, n)).to_json(); });
  }
  static int answer(void* i, const char* d, size_t n, guichet_buffer* out) {
    return guarded(out, [&] { return self(i)->answer(parse_input(d, n)).to_json(); });
  }
  static int poll(void* i, const char* d, size_t n, guichet_buffer* out) {
    return guarded(out, [&] { return self(i)->poll(parse_input(d, n)); });
  }
  static int on_inbound(void* i, const char* d, size_t n, guichet_buffer* out) {
    return guarded(out, [&] { return self(i)->on_inbound(parse_input(d, n)); });
  }
  static int on_email(void* i, const char* d, size_t n, guichet_buffer* out) {
    return guarded(out, [&] { return self(i)->on_email(parse_input(d, n)); });
  }

  static const guichet_connector_v1* get(const char* id, const char* version, uint32_t host_major) {
    static const guichet_connector_v1 table = {
        sizeof(guichet_connector_v1), GUICHET_ABI_MAJOR, GUICHET_ABI_MINOR, id, version,
        &create, &destroy, &render, &deliver, &withdraw, &poll, &on_inbound, &on_email,
        &free_buffer, &answer};
    return host_major == GUICHET_ABI_MAJOR ? &table : nullptr;
  }
};

}  // namespace detail
}  // namespace guichet::sdk

// Exports the connector class `Class` as plugin `id` at `version` (both as in connector.json).
#define GUICHET_CONNECTOR(Class, id, version)                                                   \
  extern "C" GUICHET_EXPORT const guichet_connector_v1* guichet_connector_entry_v1(            \
      uint32_t host_abi_major) {                                                               \
    return ::guichet::sdk::detail::Table<Class>::get(id, version, host_abi_major);             \
  }

#endif  // GUICHET_SDK_CONNECTOR_HPP
