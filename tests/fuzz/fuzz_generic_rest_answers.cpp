// The generic REST connector's readers of what a partner's API sends: the status document a poll
// reads (at status_pointer and message_pointer), a delivery's answer (its reference at
// reference_pointer) and the OAuth token answer. Configured as the manifest's example, with OAuth2
// client credentials so that the token answer is read too. The first byte picks which answer is
// the input; the rest is the body.
#include "fuzzed_connector.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using guichet::fuzz::AgencyAnswers;
using guichet::fuzz::FuzzedConnector;
using guichet::fuzz::Json;

const std::string kTokenUrl = "http://127.0.0.1:18093/oauth2/token";

Json settings() {
  Json settings = guichet::fuzz::example_settings(MANIFEST_PATH);
  settings["auth"] = {{"kind", "oauth2_client_credentials"}, {"token_url", kTokenUrl},
                      {"client_id", "guichet-95"}, {"client_secret_name", "partner.client_secret"}};
  settings["_fields"] = {{"person", {"given_names", "birth_name", "phone", "children"}},
                         {"situation", {"safe_channel"}}};
  return settings;
}
const Json kSettings = settings();

// Made-up person.
const Json kDispatch = Json::parse(R"({
  "request_id": "r_1", "case_id": "c_1", "need": {"kind": "housing", "urgency": "tonight"},
  "idempotency_key": "k_1", "attempt": 1, "correlation": "GCH-1", "referent": {"id": "ref-1", "department": "95"},
  "person": {"given_names": ["Test"], "birth_name": "Fuzz", "phone": "+33600000000",
             "children": [{"given_name": "Enfant", "birth_date": "2020-01-01"}]},
  "situation": {"safe_channel": "phone"}})");

const Json kPoll = Json::parse(R"({"cursor": null, "open": [
  {"request_id": "r_1", "agency_reference": "DCDF-0001", "state": "acknowledged"},
  {"request_id": "r_2", "agency_reference": "42", "state": "in_review"},
  {"request_id": "r_3", "state": "queued"}]})");

enum Mode { poll, deliver, token, modes };

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  AgencyAnswers answers;
  answers.token_url = kTokenUrl;
  answers.answer = R"({"statut": "recue"})";
  Mode mode = static_cast<Mode>(data[0] % modes);
  if (mode == token) answers.token_answer = body;
  else answers.answer = body;
  FuzzedConnector connector(kSettings, answers);
  if (mode == deliver) connector.call(connector.table().deliver, kDispatch);
  else connector.call(connector.table().poll, kPoll);
  return 0;
}
