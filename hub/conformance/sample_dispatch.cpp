#include "hub/conformance/sample_dispatch.h"

#include "hub/domain/person_fields.h"
#include "hub/privacy/projection.h"

#include <cstdio>

namespace guichet::conformance {
namespace {

template <typename T>
const T& pick(const std::vector<T>& choices, std::mt19937_64& random) {
  return choices[std::uniform_int_distribution<std::size_t>(0, choices.size() - 1)(random)];
}

bool coin(std::mt19937_64& random) { return std::bernoulli_distribution(0.5)(random); }

// A NIR consistent with sex and birth date, with its control key (97 - number mod 97).
std::string nir(const std::string& sex, const std::string& birth_date) {
  std::string number = std::string(sex == "M" ? "1" : "2") + birth_date.substr(2, 2) + birth_date.substr(5, 2) +
                       "95018" + "123";
  unsigned long long value = std::stoull(number);
  char key[3];
  std::snprintf(key, sizeof key, "%02llu", 97 - value % 97);
  return number + key;
}

Json address(std::mt19937_64& random) {
  if (coin(random)) return Json{{"line", "12 rue des Lilas"}, {"postcode", "95000"}, {"city", "Cergy"}};
  return Json{{"line", "4 allée des Tilleuls"}, {"postcode", "95100"}, {"city", "Argenteuil"}};
}

Json shaped_canary(const std::string& field, std::vector<std::string>& planted, std::mt19937_64& random) {
  auto fresh = [&](const std::string& label) {
    planted.push_back(canary(label, random));
    return planted.back();
  };
  if (field == "given_names" || field == "languages") return Json::array({fresh(field)});
  if (field == "address" || field == "contact_address") {
    return Json{{"line", fresh(field + "-line")}, {"postcode", fresh(field + "-postcode")}, {"city", fresh(field + "-city")}};
  }
  if (field == "children") {
    return Json::array({Json{{"given_name", fresh("child-name")}, {"birth_date", fresh("child-birth")}}});
  }
  if (field == "proof") return Json{{"kind", fresh("proof-kind")}, {"date", fresh("proof-date")}};
  return fresh(field);
}

}  // namespace

std::string canary(const std::string& label, std::mt19937_64& random) {
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random() & 0xffffffffu));
  return "cnry-" + label + "-" + suffix;
}

Case sample_case(const connectors::Manifest& manifest, std::mt19937_64& random) {
  std::string sex = pick<std::string>({"F", "F", "M"}, random);
  std::string birth_date = pick<std::string>({"1990-04-12", "1985-02-28", "1979-07-30"}, random);
  Json children = Json::array();
  int count = std::uniform_int_distribution<int>(1, 2)(random);  // childcare needs one
  for (int i = 0; i < count; ++i) {
    children.push_back({{"given_name", pick<std::string>({"Lina", "Yanis", "Inès"}, random)},
                        {"birth_date", pick<std::string>({"2019-09-14", "2022-05-01"}, random)}});
  }
  std::vector<Json> given_names = {Json::array({"Amina"}), Json::array({"Claire", "Marie"}), Json::array({"Sophie"})};
  std::vector<Json> languages = {Json::array({"fr"}), Json::array({"fr", "ar"})};
  Json person{{"given_names", pick(given_names, random)},
              {"birth_name", pick<std::string>({"Benali", "Dubois", "Martin"}, random)},
              {"usage_name", coin(random) ? Json("Moreau") : Json()},
              {"sex", sex},
              {"birth_date", birth_date},
              {"nir", nir(sex, birth_date)},
              {"phone", pick<std::string>({"+33612345678", "06 55 55 44 44"}, random)},
              {"email", pick<std::string>({"amina.b@example.org", "c.dubois@example.net"}, random)},
              {"address", address(random)},
              {"contact_address", {{"line", "c/o Maître Durand, 3 place du Palais"}, {"postcode", "95300"}, {"city", "Pontoise"}}},
              {"caf_number", pick<std::string>({"1234567", "7654321"}, random)},
              {"france_travail_id", coin(random) ? Json("4521987K") : Json()},
              {"children", children},
              {"languages", pick(languages, random)}};
  Json situation{{"department", "95"},
                 {"proof", {{"kind", pick<std::string>({"complaint", "protection_order"}, random)}, {"date", "2026-11-10"}}},
                 {"abuser_in_caf_household", coin(random)},
                 {"address_confidential", coin(random)},
                 {"safe_channel", pick<std::string>({"phone", "email", "post", "referent_only"}, random)}};
  std::string kind = manifest.needs.empty() ? "psych_support" : manifest.needs.front();
  Json need{{"kind", kind}};
  if (kind == "housing") need["urgency"] = pick<std::string>({"tonight", "this_week", "later"}, random);
  if (kind == "childcare" && !children.empty()) need["children"] = Json::array({0});
  return {person, situation, need};
}

Json projected_dispatch(const connectors::Manifest& manifest, const Case& filed, const std::string& idempotency_key) {
  privacy::FieldPolicy policy{manifest.person_fields, manifest.situation_fields, manifest.shared_with_household};
  privacy::Projection projection = privacy::project(filed.person, filed.situation, policy);
  return Json{{"request_id", "r_conformance_0001"},
              {"case_id", "c_conformance"},
              {"need", filed.need},
              {"idempotency_key", idempotency_key},
              {"attempt", 1},
              {"correlation", "GCH-CONFORM"},
              {"referent", {{"id", "ref-95-001"}, {"department", "95"}}},
              {"person", std::move(projection.person)},
              {"situation", std::move(projection.situation)}};
}

Json unprojected_dispatch(const Case& filed, const Json& unknown_value, const std::string& idempotency_key) {
  Json person = filed.person;
  Json situation = filed.situation;
  person["nickname"] = unknown_value;
  situation["notes"] = unknown_value;
  return Json{{"request_id", "r_conformance_0002"},
              {"case_id", "c_conformance"},
              {"need", filed.need},
              {"idempotency_key", idempotency_key},
              {"attempt", 1},
              {"correlation", "GCH-CONFORM"},
              {"referent", {{"id", "ref-95-001"}, {"department", "95"}}},
              {"person", person},
              {"situation", situation},
              {"free_text", unknown_value}};
}

std::vector<std::string> plant_canaries(const connectors::Manifest& manifest, Case& filed, std::mt19937_64& random) {
  std::vector<std::string> planted;
  for (std::string_view name : kPersonFields) {
    std::string field(name);
    if (!manifest.person_fields.count(field)) filed.person[field] = shaped_canary(field, planted, random);
  }
  for (std::string_view name : kSituationFields) {
    std::string field(name);
    // Flags steer the projection itself: they keep their true/false value, never leave as text.
    if (field == "abuser_in_caf_household" || field == "address_confidential") continue;
    if (!manifest.situation_fields.count(field)) filed.situation[field] = shaped_canary(field, planted, random);
  }
  return planted;
}

}  // namespace guichet::conformance
