#include "hub/dispatch/dispatch_message.h"

#include <gtest/gtest.h>

namespace guichet::dispatch {
namespace {

using Json = nlohmann::json;

TEST(DispatchMessage, CarriesOnlyTheDeclaredFieldsAndTheDeliveryIdentity) {
  store::Delivery d;
  d.operation = "deliver";
  d.attempts = 2;
  d.idempotency_key = "gch-key";
  d.case_owner = "alice";
  d.department = "95";
  d.request.id = "r_1";
  d.request.case_id = "c_1";
  d.request.need = "housing";
  d.request.need_json = R"({"kind":"housing","urgency":"tonight"})";
  d.request.correlation = "GCH-ABCDEFGH";
  store::PersonRecord person{
      R"({"birth_name":"Benali","nir":"290049501812345","address":{"line":"12 rue des Lilas","postcode":"95000","city":"Cergy"},
          "contact_address":{"line":"c/o avocat","postcode":"95300","city":"Pontoise"}})",
      R"({"department":"95","address_confidential":true,"proof":{"kind":"complaint"}})"};
  privacy::FieldPolicy policy{{"birth_name", "address"}, {"department"}, false};

  DispatchMessage m = build_dispatch(d, person, policy);
  EXPECT_EQ(m.json["idempotency_key"], "gch-key");
  EXPECT_EQ(m.json["attempt"], 2);
  EXPECT_EQ(m.json["correlation"], "GCH-ABCDEFGH");
  EXPECT_EQ(m.json["need"]["urgency"], "tonight");
  EXPECT_EQ(m.json["person"], Json::parse(R"({"birth_name":"Benali","address":{"line":"c/o avocat","postcode":"95300","city":"Pontoise"}})"));
  EXPECT_EQ(m.json["situation"], Json::parse(R"({"department":"95"})"));
  std::string text = m.json.dump();
  EXPECT_EQ(text.find("Lilas"), std::string::npos);
  EXPECT_EQ(text.find("290049501812345"), std::string::npos);
  EXPECT_EQ(m.disclosed, (std::vector<std::string>{"person.address", "person.birth_name", "situation.department"}));
}

TEST(DispatchMessage, AnAnswerCarriesItsTextUnderItsOwnKey) {
  store::Delivery d;
  d.operation = "answer";
  d.idempotency_key = "gch-key-answer-1795000000000";
  d.reason = "sealed";
  d.request.id = "r_1";
  d.request.agency_reference = "AUU-95-000001";
  privacy::FieldPolicy policy{{}, {}, false};

  DispatchMessage m = build_dispatch(d, {"{}", "{}"}, policy, std::string("Plainte déposée le 3 novembre"));
  EXPECT_EQ(m.json["agency_reference"], "AUU-95-000001");
  EXPECT_EQ(m.json["answer"], Json::parse(R"({"text":"Plainte déposée le 3 novembre","idempotency_key":"gch-key-answer-1795000000000"})"));
  EXPECT_EQ(m.json.dump().find("sealed"), std::string::npos);
  EXPECT_FALSE(build_dispatch(d, {"{}", "{}"}, policy).json.contains("answer"));
}

}  // namespace
}  // namespace guichet::dispatch
