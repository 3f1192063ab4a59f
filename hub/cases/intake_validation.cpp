#include "hub/cases/intake_validation.h"

#include "hub/cases/api_error.h"
#include "hub/domain/need.h"
#include "hub/domain/person_fields.h"
#include "hub/domain/time.h"

#include <regex>
#include <set>

namespace guichet::cases {
namespace {

constexpr size_t kMaxText = 200;

[[noreturn]] void fail(const std::string& field, const std::string& message) {
  throw ApiError::invalid(field, message);
}

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

void only_keys(const Json& object, const std::string& path, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* name : allowed) known = known || key == name;
    if (!known) fail(join(path, key), "unknown field");
  }
}

const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

const Json& require_object(const Json& object, const char* key, const std::string& path) {
  const Json* value = member(object, key);
  if (!value) fail(join(path, key), "required");
  if (!value->is_object()) fail(join(path, key), "must be an object");
  return *value;
}

void check_text(const Json& value, const std::string& field, bool allow_empty = false) {
  if (!value.is_string()) fail(field, "must be a string");
  const auto& text = value.get_ref<const std::string&>();
  if (!allow_empty && text.find_first_not_of(" \t") == std::string::npos) fail(field, "must not be empty");
  if (text.size() > kMaxText) fail(field, "is too long (200 characters at most)");
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) fail(field, "must not contain control characters");
  }
}

void optional_text(const Json& object, const char* key, const std::string& path, const std::regex* shape,
                   const char* shape_message) {
  const Json* value = member(object, key);
  if (!value) return;
  check_text(*value, join(path, key));
  if (shape && !std::regex_match(value->get_ref<const std::string&>(), *shape)) fail(join(path, key), shape_message);
}

void optional_enum(const Json& object, const char* key, const std::string& path,
                   std::initializer_list<const char*> values) {
  const Json* value = member(object, key);
  if (!value) return;
  if (!value->is_string()) fail(join(path, key), "must be a string");
  for (const char* allowed : values) {
    if (*value == allowed) return;
  }
  std::string list;
  for (const char* allowed : values) list += (list.empty() ? "" : ", ") + std::string(allowed);
  fail(join(path, key), "must be one of: " + list);
}

void optional_bool(const Json& object, const char* key, const std::string& path) {
  const Json* value = member(object, key);
  if (value && !value->is_boolean()) fail(join(path, key), "must be true or false");
}

void check_past_date(const Json& value, const std::string& field, int64_t today) {
  if (!value.is_string()) fail(field, "must be a date YYYY-MM-DD");
  auto day = parse_date(value.get<std::string>());
  if (!day) fail(field, "must be a date YYYY-MM-DD");
  if (*day > today) fail(field, "must not be in the future");
}

void check_address(const Json& object, const char* key, const std::string& path) {
  const Json* value = member(object, key);
  if (!value) return;
  std::string field = join(path, key);
  if (!value->is_object()) fail(field, "must be an object");
  only_keys(*value, field, {"line", "postcode", "city"});
  static const std::regex kPostcode("[0-9]{5}");
  for (const char* part : {"line", "postcode", "city"}) {
    const Json* text = member(*value, part);
    if (!text) fail(join(field, part), "required");
    check_text(*text, join(field, part));
  }
  if (!std::regex_match((*value)["postcode"].get_ref<const std::string&>(), kPostcode)) {
    fail(join(field, "postcode"), "must be 5 digits");
  }
}

void validate_person(const Json& person, int64_t today) {
  const std::string path = "person";
  for (const auto& [key, value] : person.items()) {
    if (!is_person_field(key)) fail(join(path, key), "unknown field");
  }
  const Json* given = member(person, "given_names");
  if (!given) fail("person.given_names", "required");
  if (!given->is_array() || given->empty()) fail("person.given_names", "must list at least one given name");
  if (given->size() > 10) fail("person.given_names", "10 given names at most");
  for (size_t i = 0; i < given->size(); ++i) check_text((*given)[i], "person.given_names[" + std::to_string(i) + "]");

  const Json* birth_name = member(person, "birth_name");
  if (!birth_name) fail("person.birth_name", "required");
  check_text(*birth_name, "person.birth_name");
  if (const Json* usage = member(person, "usage_name")) check_text(*usage, "person.usage_name");

  const Json* birth_date = member(person, "birth_date");
  if (!birth_date) fail("person.birth_date", "required");
  check_past_date(*birth_date, "person.birth_date", today);

  optional_enum(person, "sex", path, {"F", "M"});
  static const std::regex kNir("[12][0-9]{2}(0[1-9]|1[0-2]|[2-9][0-9])(2A|2B|[0-9]{2})[0-9]{6}[0-9]{2}");
  optional_text(person, "nir", path, &kNir, "must be a 15-character social security number");
  static const std::regex kPhone(R"(\+?[0-9][0-9 .-]{5,19})");
  optional_text(person, "phone", path, &kPhone, "must be a phone number");
  static const std::regex kEmail(R"([^@\s]+@[^@\s]+\.[^@\s]+)");
  optional_text(person, "email", path, &kEmail, "must be an email address");
  static const std::regex kDigits("[0-9]{1,12}");
  optional_text(person, "caf_number", path, &kDigits, "must be digits");
  static const std::regex kFranceTravail("[0-9A-Za-z]{1,16}");
  optional_text(person, "france_travail_id", path, &kFranceTravail, "must be letters and digits");
  check_address(person, "address", path);
  check_address(person, "contact_address", path);

  if (const Json* children = member(person, "children")) {
    if (!children->is_array()) fail("person.children", "must be an array");
    if (children->size() > 20) fail("person.children", "20 children at most");
    for (size_t i = 0; i < children->size(); ++i) {
      std::string field = "person.children[" + std::to_string(i) + "]";
      const Json& child = (*children)[i];
      if (!child.is_object()) fail(field, "must be an object");
      only_keys(child, field, {"given_name", "birth_date"});
      const Json* name = member(child, "given_name");
      if (!name) fail(field + ".given_name", "required");
      check_text(*name, field + ".given_name");
      const Json* born = member(child, "birth_date");
      if (!born) fail(field + ".birth_date", "required");
      check_past_date(*born, field + ".birth_date", today);
    }
  }
  if (const Json* languages = member(person, "languages")) {
    static const std::regex kLanguage("[a-z]{2,3}(-[A-Za-z0-9]{2,8})?");
    if (!languages->is_array() || languages->size() > 10) fail("person.languages", "must be an array of up to 10 language codes");
    for (size_t i = 0; i < languages->size(); ++i) {
      std::string field = "person.languages[" + std::to_string(i) + "]";
      check_text((*languages)[i], field);
      if (!std::regex_match((*languages)[i].get_ref<const std::string&>(), kLanguage)) fail(field, "must be a language code such as fr");
    }
  }
}

void validate_situation(const Json& situation, int64_t today,
                        const std::function<bool(const std::string&)>& department_known) {
  const std::string path = "situation";
  for (const auto& [key, value] : situation.items()) {
    if (!is_situation_field(key)) fail(join(path, key), "unknown field");
  }
  const Json* department = member(situation, "department");
  if (!department) fail("situation.department", "required");
  check_text(*department, "situation.department");
  if (!department_known(department->get<std::string>())) fail("situation.department", "no agency is configured for this department");
  if (const Json* proof = member(situation, "proof")) {
    if (!proof->is_object()) fail("situation.proof", "must be an object");
    only_keys(*proof, "situation.proof", {"kind", "date"});
    if (!member(*proof, "kind")) fail("situation.proof.kind", "required");
    optional_enum(*proof, "kind", "situation.proof", {"complaint", "protection_order", "prosecutor_report", "none"});
    if (const Json* date = member(*proof, "date")) check_past_date(*date, "situation.proof.date", today);
  }
  optional_bool(situation, "abuser_in_caf_household", path);
  optional_bool(situation, "address_confidential", path);
  optional_enum(situation, "safe_channel", path, {"phone", "email", "post", "referent_only"});
}

void validate_needs(const Json& body, const Json& person) {
  const Json* needs = member(body, "needs");
  if (!needs) fail("needs", "required");
  if (!needs->is_array() || needs->empty() || needs->size() > 10) fail("needs", "must list 1 to 10 needs");
  size_t children = person.contains("children") && person["children"].is_array() ? person["children"].size() : 0;
  std::set<std::string> seen;
  for (size_t i = 0; i < needs->size(); ++i) {
    std::string field = "needs[" + std::to_string(i) + "]";
    const Json& need = (*needs)[i];
    if (!need.is_object()) fail(field, "must be an object");
    only_keys(need, field, {"kind", "urgency", "children"});
    const Json* kind = member(need, "kind");
    if (!kind) fail(field + ".kind", "required");
    if (!kind->is_string() || !is_need_kind(kind->get<std::string>())) {
      fail(field + ".kind", "must be one of: allowance, employment, housing, childcare, psych_support");
    }
    if (!seen.insert(kind->get<std::string>()).second) fail(field + ".kind", "this need is already listed");
    optional_enum(need, "urgency", field, {"tonight", "this_week", "later"});
    if (const Json* listed = member(need, "children")) {
      if (!listed->is_array() || listed->empty()) fail(field + ".children", "must list children by their position in person.children");
      for (size_t j = 0; j < listed->size(); ++j) {
        const Json& index = (*listed)[j];
        if (!index.is_number_unsigned() || index.get<size_t>() >= children) {
          fail(field + ".children[" + std::to_string(j) + "]", "must be the position of a child in person.children");
        }
      }
    }
  }
  const Json* consent = member(body, "consent");
  if (!consent) fail("consent", "required: the victim's consent for each need");
  if (!consent->is_object()) fail("consent", "must be an object");
  for (const auto& [kind, given] : consent->items()) {
    if (!is_need_kind(kind)) fail("consent." + kind, "unknown need");
    if (!given.is_boolean()) fail("consent." + kind, "must be true or false");
  }
  for (const auto& kind : seen) {
    auto it = consent->find(kind);
    if (it == consent->end() || !it->is_boolean() || !it->get<bool>()) {
      fail("consent." + kind, "the victim's consent is required for every need listed");
    }
  }
}

}  // namespace

void validate_intake(const Json& body, int64_t today,
                     const std::function<bool(const std::string&)>& department_known) {
  if (!body.is_object()) throw ApiError::invalid("", "the request body must be a JSON object");
  only_keys(body, "", {"person", "situation", "needs", "consent"});
  validate_person(require_object(body, "person", ""), today);
  validate_situation(require_object(body, "situation", ""), today, department_known);
  validate_needs(body, body["person"]);
}

void validate_new_needs(const Json& body, const Json& person) {
  if (!body.is_object()) throw ApiError::invalid("", "the request body must be a JSON object");
  only_keys(body, "", {"needs", "consent"});
  validate_needs(body, person);
}

}  // namespace guichet::cases
