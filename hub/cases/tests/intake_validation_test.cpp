#include "hub/cases/intake_validation.h"

#include "hub/cases/api_error.h"
#include "hub/domain/time.h"

#include <gtest/gtest.h>

namespace guichet::cases {

// The example of docs/api.md: a valid intake every test starts from and breaks in one place.
Json example_intake() {
  return Json::parse(R"({
    "person": {
      "given_names": ["Amina"], "birth_name": "Benali", "usage_name": null, "sex": "F",
      "birth_date": "1990-04-12", "nir": "290049501812345",
      "phone": "+33612345678", "email": "amina.b@example.org",
      "address": {"line": "12 rue des Lilas", "postcode": "95000", "city": "Cergy"},
      "contact_address": {"line": "c/o Maître Durand, 3 place du Palais", "postcode": "95300", "city": "Pontoise"},
      "caf_number": "1234567", "france_travail_id": null,
      "children": [{"given_name": "Lina", "birth_date": "2022-05-01"}],
      "languages": ["fr"]
    },
    "situation": {
      "department": "95", "proof": {"kind": "complaint", "date": "2026-11-20"},
      "abuser_in_caf_household": true, "address_confidential": true, "safe_channel": "phone"
    },
    "needs": [
      {"kind": "allowance"}, {"kind": "employment"}, {"kind": "housing", "urgency": "tonight"},
      {"kind": "childcare", "children": [0]}, {"kind": "psych_support"}
    ],
    "consent": {"allowance": true, "employment": true, "housing": true, "childcare": true, "psych_support": true}
  })");
}

namespace {

const int64_t kToday = *parse_date("2026-11-23");

std::string field_refused(const Json& body) {
  try {
    validate_intake(body, kToday, [](const std::string& d) { return d == "95"; });
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.code(), "invalid_request");
    return e.field();
  }
  return "(accepted)";
}

TEST(IntakeValidation, AcceptsTheContractExample) { EXPECT_EQ(field_refused(example_intake()), "(accepted)"); }

TEST(IntakeValidation, NamesTheFieldAtFault) {
  struct Case {
    std::string pointer;
    Json value;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"/person/birth_name", nullptr, "person.birth_name"},
      {"/person/birth_name", "  ", "person.birth_name"},
      {"/person/given_names", Json::array(), "person.given_names"},
      {"/person/birth_date", "12/04/1990", "person.birth_date"},
      {"/person/birth_date", "2031-01-01", "person.birth_date"},
      {"/person/birth_date", "1990-02-30", "person.birth_date"},
      {"/person/nir", "12345", "person.nir"},
      {"/person/email", "not-an-email", "person.email"},
      {"/person/sex", "female", "person.sex"},
      {"/person/address/postcode", "9500", "person.address.postcode"},
      {"/person/children/0/birth_date", "2030-01-01", "person.children[0].birth_date"},
      {"/person/religion", "x", "person.religion"},
      {"/person/birth_name", "Ben\nali", "person.birth_name"},
      {"/situation/department", "99", "situation.department"},
      {"/situation/proof/kind", "main_courante", "situation.proof.kind"},
      {"/situation/safe_channel", "pigeon", "situation.safe_channel"},
      {"/situation/address_confidential", "yes", "situation.address_confidential"},
      {"/needs/2/kind", "housin", "needs[2].kind"},
      {"/needs/1/kind", "allowance", "needs[1].kind"},
      {"/needs/3/children/0", 4, "needs[3].children[0]"},
      {"/needs", Json::array(), "needs"},
      {"/consent/housing", false, "consent.housing"},
      {"/extra", 1, "extra"},
  };
  for (const auto& c : cases) {
    Json body = example_intake();
    body[Json::json_pointer(c.pointer)] = c.value;
    EXPECT_EQ(field_refused(body), c.field) << c.pointer;
  }
}

TEST(IntakeValidation, RequiresTheConsentObjectAndTheRootObject) {
  Json body = example_intake();
  body.erase("consent");
  EXPECT_EQ(field_refused(body), "consent");
  EXPECT_EQ(field_refused(Json::array()), "");
  EXPECT_EQ(field_refused(Json("text")), "");
}

TEST(IntakeValidation, ErrorMessagesNeverEchoTheValue) {
  Json body = example_intake();
  body["person"]["email"] = "canary-7f3k@@";
  try {
    validate_intake(body, kToday, [](const std::string&) { return true; });
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(std::string(e.what()).find("canary"), std::string::npos);
  }
}

}  // namespace
}  // namespace guichet::cases
