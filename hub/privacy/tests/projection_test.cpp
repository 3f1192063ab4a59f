#include "hub/privacy/projection.h"

#include <gtest/gtest.h>

namespace guichet::privacy {
namespace {

const Json kPerson = Json::parse(R"({
  "given_names": ["Amina"], "birth_name": "Benali", "birth_date": "1990-04-12",
  "phone": "+33612345678", "email": "amina.b@example.org", "nir": "290049501812345",
  "address": {"line": "12 rue des Lilas", "postcode": "95000", "city": "Cergy"},
  "contact_address": {"line": "c/o Maître Durand", "postcode": "95300", "city": "Pontoise"},
  "usage_name": null})");

FieldPolicy policy(std::set<std::string> person, std::set<std::string> situation = {}, bool household = false) {
  return FieldPolicy{std::move(person), std::move(situation), household};
}

TEST(Projection, KeepsOnlyDeclaredFields) {
  auto out = project(kPerson, Json{{"safe_channel", "phone"}, {"proof", {{"kind", "complaint"}}}},
                     policy({"given_names", "phone", "usage_name"}, {"safe_channel"}));
  EXPECT_EQ(out.person, Json::parse(R"({"given_names":["Amina"],"phone":"+33612345678"})"));
  EXPECT_EQ(out.situation, Json::parse(R"({"safe_channel":"phone"})"));
  EXPECT_EQ(out.disclosed, (std::vector<std::string>{"person.given_names", "person.phone",
                                                     "situation.safe_channel"}));
}

TEST(Projection, ConfidentialAddressBecomesTheContactAddress) {
  auto out = project(kPerson, Json{{"address_confidential", true}}, policy({"address"}));
  EXPECT_EQ(out.person["address"]["city"], "Pontoise");
  Json without_contact = kPerson;
  without_contact.erase("contact_address");
  out = project(without_contact, Json{{"address_confidential", true}}, policy({"address"}));
  EXPECT_FALSE(out.person.contains("address"));
  out = project(kPerson, Json{{"address_confidential", false}}, policy({"address"}));
  EXPECT_EQ(out.person["address"]["city"], "Cergy");
}

TEST(Projection, HouseholdAgencyNeverReachesTheVictimWhenTheAbuserIsInIt) {
  auto all = policy({"birth_name", "phone", "email", "address", "contact_address"}, {}, true);
  auto out = project(kPerson, Json{{"abuser_in_caf_household", true}}, all);
  EXPECT_EQ(out.person, Json::parse(R"({"birth_name":"Benali"})"));
  out = project(kPerson, Json{{"abuser_in_caf_household", false}}, all);
  EXPECT_TRUE(out.person.contains("phone"));
  // An agency that does not share a household file is not affected by the flag.
  out = project(kPerson, Json{{"abuser_in_caf_household", true}}, policy({"phone"}));
  EXPECT_TRUE(out.person.contains("phone"));
}

TEST(Projection, ModelFieldsAreAllClassified) {
  // A field the projection does not know about is dropped for every connector: intake must not
  // accept a field missing from this list (see intake validation).
  auto out = project(Json{{"new_field", "x"}}, Json::object(), policy({"new_field"}));
  EXPECT_TRUE(out.person.empty());
}

}  // namespace
}  // namespace guichet::privacy
