#include "hub/connectors/host_services.h"

#include "hub/connectors/text.h"

#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/String.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <algorithm>

namespace guichet::connectors {
namespace {

constexpr int kMaxTimeoutMs = 10 * 60 * 1000;

std::string to_text(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Host buffers are malloc'd so that free_entry can release them whatever the caller did with them.
void fill(guichet_buffer* out, const std::string& text) {
  out->data = static_cast<char*>(std::malloc(text.size() + 1));
  if (!out->data) {
    out->size = 0;
    return;
  }
  std::memcpy(out->data, text.data(), text.size());
  out->data[text.size()] = '\0';
  out->size = text.size();
}

int fail(guichet_buffer* out, int status, const std::string& message, bool transient) {
  fill(out, to_text(Json{{"message", message}, {"transient", transient}}));
  return status;
}

std::string_view view(const char* data, size_t size) { return data ? std::string_view(data, size) : std::string_view(); }

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void collect_origins(const Json& value, std::set<std::string>& origins) {
  if (value.is_array()) {
    for (const Json& item : value) collect_origins(item, origins);
    return;
  }
  if (!value.is_object()) return;
  for (const auto& [key, member] : value.items()) {
    if (ends_with(key, "_url") && member.is_string()) {
      if (auto origin = origin_of(member.get<std::string>())) origins.insert(*origin);
    }
    collect_origins(member, origins);
  }
}

// An RFC 9110 token: what a method or a header name may be.
bool is_token(const std::string& text) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    bool alphanumeric = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    return alphanumeric || kSymbols.find(c) != std::string_view::npos;
  });
}

// Headers the HTTP client itself sets from the request; a plugin's value would contradict them.
bool is_framing_header(const std::string& name) {
  std::string lower = Poco::toLower(name);
  return lower == "host" || lower == "content-length" || lower == "transfer-encoding" || lower == "connection";
}

// Reads the http service's request JSON; returns an error message when it cannot be used.
std::optional<std::string> parse_request(std::string_view text, HttpRequest& request) {
  Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return "request is not a JSON object";
  if (json.contains("method")) {
    if (!json["method"].is_string() || !is_token(json["method"].get<std::string>())) return "method is not a token";
    request.method = Poco::toUpper(json["method"].get<std::string>());
  }
  if (!json.contains("url") || !json["url"].is_string()) return "url must be a string";
  request.url = json["url"].get<std::string>();
  if (json.contains("headers")) {
    if (!json["headers"].is_object()) return "headers must be an object";
    for (const auto& [name, value] : json["headers"].items()) {
      if (!is_token(name)) return "a header name is not a token";
      if (is_framing_header(name)) return "header " + name + " is set by the host";
      if (!value.is_string() || !is_single_line(value.get<std::string>())) {
        return "header " + name + " must be one line of text";
      }
      request.headers.emplace_back(name, value.get<std::string>());
    }
  }
  if (json.contains("body")) {
    if (!json["body"].is_string()) return "body must be a string";
    request.body = json["body"].get<std::string>();
  }
  if (json.contains("timeout_ms")) {
    const Json& timeout = json["timeout_ms"];
    if (!timeout.is_number_integer() || timeout.get<int64_t>() < 1 || timeout.get<int64_t>() > kMaxTimeoutMs) {
      return "timeout_ms must be an integer from 1 to " + std::to_string(kMaxTimeoutMs);
    }
    request.timeout_ms = timeout.get<int>();
  }
  return std::nullopt;
}

}  // namespace

HostServices::HostServices(std::string instance, const Json& settings, HostDependencies dependencies)
    : instance_(std::move(instance)),
      dependencies_(std::move(dependencies)),
      logger_(Poco::Logger::get("connector." + instance_)) {
  collect_origins(settings, origins_);
  table_.struct_size = sizeof(table_);
  table_.ctx = this;
  table_.http = &HostServices::http_entry;
  table_.send_mail = &HostServices::mail_entry;
  table_.log = &HostServices::log_entry;
  table_.now_ms = &HostServices::now_entry;
  table_.secret = &HostServices::secret_entry;
  table_.free_buffer = &HostServices::free_entry;
}

int HostServices::http_entry(void* ctx, const char* request, size_t size, guichet_buffer* out) {
  if (!out) return GUICHET_BAD_INPUT;
  *out = {nullptr, 0};
  try {
    return static_cast<const HostServices*>(ctx)->http(view(request, size), out);
  } catch (const std::exception&) {
    return fail(out, GUICHET_ERROR, "host http service failed", true);
  }
}

int HostServices::http(std::string_view text, guichet_buffer* out) const {
  HttpRequest request;
  if (auto problem = parse_request(text, request)) return fail(out, GUICHET_BAD_INPUT, *problem, false);
  std::optional<std::string> origin = origin_of(request.url);
  if (!origin) return fail(out, GUICHET_BAD_INPUT, "url must be an http or https URL", false);
  if (!origins_.count(*origin)) return fail(out, GUICHET_ERROR, "host not declared", false);
  // Debug lines name the origin only: a path or a query may carry a person's identifiers.
  auto started = std::chrono::steady_clock::now();
  auto took_ms = [&] {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  };
  auto observe = [&](int status) {
    if (!dependencies_.on_agency_http) return;
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    dependencies_.on_agency_http(instance_, request.method, status, ms);
  };
  try {
    HttpResponse response = dependencies_.http->exchange(request);
    observe(response.status);
    if (logger_.debug()) logger_.debug("%s %s: %d in %d ms", request.method, *origin, response.status, took_ms());
    fill(out, to_text(Json{{"status", response.status}, {"headers", response.headers}, {"body", response.body}}));
    return GUICHET_OK;
  } catch (const HttpFailure& e) {
    observe(0);
    if (logger_.debug()) {
      logger_.debug("%s %s: no answer after %d ms (%s)", request.method, *origin, took_ms(),
                    std::string(e.transient ? "transient" : "permanent"));
    }
    return fail(out, GUICHET_ERROR, e.what(), e.transient);
  }
}

int HostServices::mail_entry(void* ctx, const char* message, size_t size, guichet_buffer* out) {
  if (!out) return GUICHET_BAD_INPUT;
  *out = {nullptr, 0};
  try {
    return static_cast<const HostServices*>(ctx)->mail(view(message, size), out);
  } catch (const std::exception&) {
    return fail(out, GUICHET_ERROR, "host mail service failed", true);
  }
}

int HostServices::mail(std::string_view text, guichet_buffer* out) const {
  Json message = Json::parse(text, nullptr, false);
  if (message.is_discarded()) return fail(out, GUICHET_BAD_INPUT, "message is not JSON", false);
  try {
    dependencies_.mail->send(message, dependencies_.now_ms());
    logger_.debug("mail handed to the mail server");
    fill(out, R"({"accepted":true})");
    return GUICHET_OK;
  } catch (const MailFailure& e) {
    return fail(out, GUICHET_ERROR, e.what(), e.transient);
  }
}

void HostServices::log_entry(void* ctx, int level, const char* text, size_t size) {
  try {
    Poco::Logger& logger = static_cast<const HostServices*>(ctx)->logger_;
    Poco::Message::Priority priority = level <= GUICHET_LOG_DEBUG     ? Poco::Message::PRIO_DEBUG
                                       : level == GUICHET_LOG_INFO    ? Poco::Message::PRIO_INFORMATION
                                       : level == GUICHET_LOG_WARNING ? Poco::Message::PRIO_WARNING
                                                                      : Poco::Message::PRIO_ERROR;
    if (!logger.is(priority)) return;
    // One call, one line: a plugin must not be able to forge other log lines.
    logger.log(Poco::Message(logger.name(), one_log_line(view(text, size), kMaxLogLine), priority));
  } catch (const std::exception&) {
    // A log line that could not be written is dropped; the plugin cannot do anything about it.
  }
}

int64_t HostServices::now_entry(void* ctx) {
  try {
    return static_cast<const HostServices*>(ctx)->dependencies_.now_ms();
  } catch (const std::exception&) {
    return 0;
  }
}

int HostServices::secret_entry(void* ctx, const char* name, size_t size, guichet_buffer* out) {
  if (!out) return GUICHET_BAD_INPUT;
  *out = {nullptr, 0};
  try {
    const HostServices* self = static_cast<const HostServices*>(ctx);
    std::optional<std::string> value = self->dependencies_.secrets->find(std::string(view(name, size)));
    if (!value) return fail(out, GUICHET_ERROR, "secret not configured", false);
    fill(out, *value);
    return GUICHET_OK;
  } catch (const std::exception&) {
    return fail(out, GUICHET_ERROR, "host secret service failed", true);
  }
}

void HostServices::free_entry(void*, guichet_buffer* buffer) {
  if (!buffer) return;
  std::free(buffer->data);
  buffer->data = nullptr;
  buffer->size = 0;
}

}  // namespace guichet::connectors
