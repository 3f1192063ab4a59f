// A connector compiled into a fuzz target and driven through its C table, as the hub drives it,
// with a host of the target's own: every HTTP call is answered from the input being fuzzed (the
// token endpoint with `token_answer`, any other URL with `answer`), secrets and the clock are
// fixed, mail is refused and logs are dropped. The connector must answer each call with a result
// or a clean error: a crash, a hang or a leak is a finding. An OK answer that is not JSON is one too.
#ifndef GUICHET_FUZZ_FUZZED_CONNECTOR_HPP
#define GUICHET_FUZZ_FUZZED_CONNECTOR_HPP

#include <guichet/sdk/connector.hpp>

#include <cstdint>
#include <fstream>
#include <string>

extern "C" const guichet_connector_v1* guichet_connector_entry_v1(uint32_t host_abi_major);

namespace guichet::fuzz {

using sdk::Json;

// Every secret the connector asks for, whatever its name (so a test can sign a webhook with it).
inline const std::string kSecret = "fuzz-secret";

// What the agency answers during one input.
struct AgencyAnswers {
  std::string token_url;  // empty: the connector has no token endpoint
  int token_status = 200;
  std::string token_answer = R"({"access_token":"t","expires_in":3600})";
  int status = 200;
  std::string answer;
};

// The "example_settings" of a connector's manifest: the configuration its authors document.
inline Json example_settings(const char* manifest_path) {
  std::ifstream in(manifest_path);
  Json manifest = Json::parse(in, nullptr, false);
  if (!manifest.is_object() || !manifest.contains("example_settings")) __builtin_trap();
  return manifest["example_settings"];
}

// Text that came from the fuzzer, as a JSON string the connector can receive.
inline std::string as_text(const Json& value) { return sdk::to_text(value); }

// One connector instance; a new one per input, so that a finding replays alone.
class FuzzedConnector {
 public:
  using Operation = int (*)(void*, const char*, size_t, guichet_buffer*);

  FuzzedConnector(const Json& settings, AgencyAnswers answers)
      : answers_(std::move(answers)), table_(*guichet_connector_entry_v1(GUICHET_ABI_MAJOR)) {
    host_ = {sizeof(guichet_host_v1), &answers_, http, send_mail, log, now_ms, secret, free_host_buffer};
    std::string text = settings.dump();
    guichet_buffer out{nullptr, 0};
    if (table_.create(&host_, text.data(), text.size(), &handle_, &out) != GUICHET_OK) __builtin_trap();
    table_.free_buffer(&out);
  }
  ~FuzzedConnector() { table_.destroy(handle_); }
  FuzzedConnector(const FuzzedConnector&) = delete;
  FuzzedConnector& operator=(const FuzzedConnector&) = delete;

  const guichet_connector_v1& table() const { return table_; }

  // Any status will do; an OK answer must be JSON.
  void call(Operation operation, const Json& input) const {
    std::string text = as_text(input);
    guichet_buffer out{nullptr, 0};
    int status = operation(handle_, text.data(), text.size(), &out);
    std::string answer(out.data ? out.data : "", out.size);
    table_.free_buffer(&out);
    if (status == GUICHET_OK && Json::parse(answer, nullptr, false).is_discarded()) __builtin_trap();
  }

 private:
  static int http(void* ctx, const char* request, size_t size, guichet_buffer* out) {
    const auto& answers = *static_cast<const AgencyAnswers*>(ctx);
    Json call = Json::parse(std::string(request, size));
    bool token = !answers.token_url.empty() && call.value("url", "") == answers.token_url;
    Json response{{"status", token ? answers.token_status : answers.status},
                  {"headers", Json::object()},
                  {"body", token ? answers.token_answer : answers.answer}};
    sdk::detail::fill(out, as_text(response));
    return GUICHET_OK;
  }
  static int send_mail(void*, const char*, size_t, guichet_buffer* out) {
    sdk::detail::fill(out, R"({"message":"no mail here","transient":false})");
    return GUICHET_ERROR;
  }
  static void log(void*, int, const char*, size_t) {}
  static int64_t now_ms(void*) { return 1795000000000; }
  static int secret(void*, const char*, size_t, guichet_buffer* out) {
    sdk::detail::fill(out, kSecret);
    return GUICHET_OK;
  }
  static void free_host_buffer(void*, guichet_buffer* buffer) { sdk::detail::free_buffer(buffer); }

  AgencyAnswers answers_;
  guichet_host_v1 host_{};
  const guichet_connector_v1& table_;
  void* handle_ = nullptr;
};

}  // namespace guichet::fuzz

#endif  // GUICHET_FUZZ_FUZZED_CONNECTOR_HPP
