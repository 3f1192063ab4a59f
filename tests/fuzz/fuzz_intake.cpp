// A référent's request body, as POST /v1/cases and POST /v1/cases/{id}/needs receive it: the
// strict JSON reader, then every intake rule. Anything may be refused (ApiError); nothing may crash.
#include "hub/cases/api_error.h"
#include "hub/cases/intake_validation.h"
#include "hub/http/json_body.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using guichet::cases::ApiError;
  nlohmann::json body;
  try {
    body = guichet::http::parse_json_body(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const ApiError&) {
    return 0;
  }
  constexpr int64_t kToday = 20415;  // 2025-11-23, in days since the epoch
  try {
    guichet::cases::validate_intake(body, kToday, [](const std::string& department) { return department == "95"; });
  } catch (const ApiError&) {
  }
  try {
    nlohmann::json person = body.is_object() && body.contains("person") ? body["person"] : nlohmann::json::object();
    guichet::cases::validate_new_needs(body, person);
  } catch (const ApiError&) {
  }
  return 0;
}
