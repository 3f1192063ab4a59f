// The CAF connector's parsers of what the CAF sends: a webhook body (signed, so the parser behind
// the signature check runs) and the status document a poll reads. The first byte picks which; the
// rest is the body.
#include "fuzzed_connector.hpp"
#include "guichet/connectors/hmac.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using guichet::fuzz::AgencyAnswers;
using guichet::fuzz::FuzzedConnector;
using guichet::fuzz::Json;

const Json kSettings = guichet::fuzz::example_settings(MANIFEST_PATH);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  AgencyAnswers answers;
  answers.token_url = kSettings["token_url"];
  if (data[0] % 2 == 0) {
    FuzzedConnector caf(kSettings, answers);
    std::string signature = "sha256=" + guichet::connectors::hmac_sha256_hex(guichet::fuzz::kSecret, body);
    caf.call(caf.table().on_inbound, Json{{"headers", {{"x-caf-signature", signature}}}, {"body", body}});
  } else {
    answers.answer = body;
    FuzzedConnector caf(kSettings, answers);
    caf.call(caf.table().poll,
             Json{{"open", {{{"request_id", "r_1"}, {"agency_reference", "AUU-95-000001"}, {"state", "sent"}}}},
                  {"cursor", nullptr}});
  }
  return 0;
}
