// The France Travail connector's readers of what France Travail sends: the orientations a poll
// reads, the look-up and creation answers of a delivery, the OAuth token answer, and an error
// answer's body. The first byte picks which; the rest is the body.
#include "fuzzed_connector.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using guichet::fuzz::AgencyAnswers;
using guichet::fuzz::FuzzedConnector;
using guichet::fuzz::Json;

const Json kSettings = guichet::fuzz::example_settings(MANIFEST_PATH);

// Made-up person: the fields France Travail's look-up needs.
const Json kDispatch = Json::parse(R"({
  "request_id": "r_1", "case_id": "c_1", "need": {"kind": "employment"}, "idempotency_key": "k_1",
  "attempt": 1, "correlation": "GCH-1", "referent": {"id": "ref-1", "department": "95"},
  "person": {"birth_date": "1980-01-01", "nir": "180017500000000", "phone": "+33600000000"},
  "situation": {"safe_channel": "phone"}})");

const Json kPoll = Json::parse(R"({"cursor": "2026-11-18T09:00:00Z", "open": [
  {"request_id": "r_1", "agency_reference": "FTO-000042", "state": "acknowledged"},
  {"request_id": "r_2", "state": "queued"}]})");

enum Mode { poll, deliver, token, error, modes };

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  AgencyAnswers answers;
  answers.token_url = kSettings["token_url"].get<std::string>() + "?realm=" + kSettings["realm"].get<std::string>();
  answers.answer = R"({"orientations": []})";
  Mode mode = static_cast<Mode>(data[0] % modes);
  if (mode == token) answers.token_answer = body;
  else answers.answer = body;
  if (mode == error) answers.status = 400;
  FuzzedConnector connector(kSettings, answers);
  if (mode == deliver) connector.call(connector.table().deliver, kDispatch);
  else connector.call(connector.table().poll, kPoll);
  return 0;
}
