#include "hub/privacy/projection.h"

#include "hub/domain/person_fields.h"

namespace guichet::privacy {

namespace {

bool is_true(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

bool present(const Json& value) { return !value.is_null(); }

}  // namespace

Projection project(const Json& person, const Json& situation, const FieldPolicy& policy) {
  Projection out;
  for (std::string_view name : kPersonFields) {
    std::string field(name);
    if (!policy.person_fields.count(field)) continue;
    auto it = person.find(field);
    if (it != person.end() && present(*it)) out.person[field] = *it;
  }
  for (std::string_view name : kSituationFields) {
    std::string field(name);
    if (!policy.situation_fields.count(field)) continue;
    auto it = situation.find(field);
    if (it != situation.end() && present(*it)) out.situation[field] = *it;
  }

  if (is_true(situation, "address_confidential") && out.person.contains("address")) {
    auto contact = person.find("contact_address");
    if (contact != person.end() && present(*contact)) {
      out.person["address"] = *contact;
    } else {
      out.person.erase("address");
    }
  }
  if (policy.shared_with_household && is_true(situation, "abuser_in_caf_household")) {
    for (const char* field : {"phone", "email", "address", "contact_address"}) out.person.erase(field);
  }

  for (const auto& [field, value] : out.person.items()) out.disclosed.push_back("person." + field);
  for (const auto& [field, value] : out.situation.items()) out.disclosed.push_back("situation." + field);
  return out;
}

}  // namespace guichet::privacy
