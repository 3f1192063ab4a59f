// The CAF connector's parsers of what the CAF sends: a webhook body (signed, so the parser behind
// the signature check runs) and the status document a poll reads. The first byte picks which; the
// rest is the body. The connector must answer with a result or a clean error, never crash. The
// plugin's sources are compiled into the target (with clang's coverage), and driven through its
// C table with a host of its own that keeps nothing between inputs.
#include "guichet/connectors/hmac.hpp"

#include <guichet/sdk/connector.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" const guichet_connector_v1* guichet_connector_entry_v1(uint32_t host_abi_major);

namespace {

using guichet::sdk::Json;
namespace detail = guichet::sdk::detail;

const std::string kApi = "http://127.0.0.1:18091";
const std::string kSecret = "webhook-secret";

// The agency as the connector sees it through the host: a token, and `status_document` for the
// request being read.
std::string status_document;

int http(void*, const char* request, size_t size, guichet_buffer* out) {
  Json call = Json::parse(std::string(request, size));
  if (call.value("method", "") == "POST") {
    detail::fill(out, R"({"status":200,"headers":{},"body":"{\"access_token\":\"t\",\"expires_in\":3600}"})");
  } else {
    detail::fill(out, Json{{"status", 200}, {"headers", Json::object()}, {"body", status_document}}
                          .dump(-1, ' ', false, Json::error_handler_t::replace));
  }
  return GUICHET_OK;
}
int send_mail(void*, const char*, size_t, guichet_buffer* out) {
  detail::fill(out, R"({"message":"no mail here","transient":false})");
  return GUICHET_ERROR;
}
void log(void*, int, const char*, size_t) {}
int64_t now_ms(void*) { return 1795000000000; }
int secret(void*, const char* name, size_t size, guichet_buffer* out) {
  detail::fill(out, std::string(name, size) == "caf-95.webhook_secret" ? kSecret : "client-secret");
  return GUICHET_OK;
}
void free_buffer(void*, guichet_buffer* buffer) { detail::free_buffer(buffer); }

const guichet_host_v1 kHost = {sizeof(guichet_host_v1), nullptr, http, send_mail, log, now_ms, secret, free_buffer};

// One instance for the whole run, as the hub keeps one per configured agency.
struct Caf {
  Caf() : table(guichet_connector_entry_v1(GUICHET_ABI_MAJOR)) {
    std::string settings = Json{{"token_url", kApi + "/oauth2/token"}, {"api_url", kApi}, {"client_id", "guichet-95"},
                                {"client_secret_name", "caf-95.client_secret"}, {"scope", "auu.demandes"},
                                {"webhook_secret_name", "caf-95.webhook_secret"}}
                               .dump();
    guichet_buffer out{nullptr, 0};
    if (table->create(&kHost, settings.data(), settings.size(), &handle, &out) != GUICHET_OK) __builtin_trap();
    table->free_buffer(&out);
  }

  // Any status will do; an OK answer must be JSON.
  void call(int (*operation)(void*, const char*, size_t, guichet_buffer*), const Json& input) const {
    std::string text = input.dump(-1, ' ', false, Json::error_handler_t::replace);
    guichet_buffer out{nullptr, 0};
    int status = operation(handle, text.data(), text.size(), &out);
    std::string answer(out.data ? out.data : "", out.size);
    table->free_buffer(&out);
    if (status == GUICHET_OK && Json::parse(answer, nullptr, false).is_discarded()) __builtin_trap();
  }

  const guichet_connector_v1* table;
  void* handle = nullptr;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Caf caf;
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    std::string signature = "sha256=" + guichet::connectors::hmac_sha256_hex(kSecret, body);
    caf.call(caf.table->on_inbound, Json{{"headers", {{"x-caf-signature", signature}}}, {"body", body}});
  } else {
    status_document = body;
    caf.call(caf.table->poll,
             Json{{"open", {{{"request_id", "r_1"}, {"agency_reference", "AUU-95-000001"}, {"state", "sent"}}}},
                  {"cursor", nullptr}});
  }
  return 0;
}
