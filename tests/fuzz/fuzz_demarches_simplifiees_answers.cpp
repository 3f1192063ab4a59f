// The Démarches Simplifiées connector's readers of what DS sends: the GraphQL answer a poll reads
// (read page after page while it says there is a next one) and the form-encoded webhook. The
// first byte picks which; the rest is the body.
#include "fuzzed_connector.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using guichet::fuzz::AgencyAnswers;
using guichet::fuzz::FuzzedConnector;
using guichet::fuzz::Json;

Json settings() {
  Json settings = guichet::fuzz::example_settings(MANIFEST_PATH);
  settings["_fields"] = {{"person", {"given_names", "birth_name", "phone", "children"}},
                         {"situation", {"safe_channel"}}};
  return settings;
}
const Json kSettings = settings();

const Json kPoll = Json::parse(R"({"cursor": {"since": "2026-11-18T09:00:00Z"}, "open": [
  {"request_id": "r_1", "agency_reference": "1001", "state": "acknowledged"},
  {"request_id": "r_2", "agency_reference": "1002", "state": "in_review"}]})");

enum Mode { poll, webhook, modes };

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  AgencyAnswers answers;
  if (data[0] % modes == poll) {
    answers.answer = body;
    FuzzedConnector connector(kSettings, answers);
    connector.call(connector.table().poll, kPoll);
  } else {
    FuzzedConnector connector(kSettings, answers);
    connector.call(connector.table().on_inbound,
                   Json{{"method", "POST"}, {"path", "/webhooks/ds-95"},
                        {"headers", {{"content-type", "application/x-www-form-urlencoded"}}},
                        {"body", body}});
  }
  return 0;
}
