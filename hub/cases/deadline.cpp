#include "hub/cases/deadline.h"

#include "hub/cases/calendar.h"

#include <stdexcept>

namespace guichet::cases {
namespace {

using Json = nlohmann::json;

int positive(const Json& rule, const char* key) {
  const Json& value = rule.at(key);
  if (!value.is_number_integer() || value.get<int>() <= 0 || value.get<int>() > 366) {
    throw std::invalid_argument(std::string(key) + " must be a whole number from 1 to 366");
  }
  return value.get<int>();
}

int64_t apply(const Json& rule, int64_t from_ms, const std::string& department) {
  if (rule.contains("working_days")) return add_working_days(from_ms, positive(rule, "working_days"), department);
  if (rule.contains("days")) return from_ms + positive(rule, "days") * int64_t{86400000};
  if (rule.contains("hours")) return from_ms + positive(rule, "hours") * int64_t{3600000};
  throw std::invalid_argument("a deadline needs working_days, days or hours");
}

bool person_has(const Json& person, const std::string& path) {
  const std::string prefix = "person.";
  if (path.rfind(prefix, 0) != 0) throw std::invalid_argument("when_missing keys name person fields: person.<field>");
  auto it = person.find(path.substr(prefix.size()));
  return it != person.end() && !it->is_null();
}

}  // namespace

std::optional<int64_t> deadline_ms(const Json& rule, int64_t from_ms, const Json& person,
                                   const std::string& department) {
  if (rule.is_null() || (rule.is_object() && rule.empty())) return std::nullopt;
  if (!rule.is_object()) throw std::invalid_argument("a deadline must be an object");
  if (auto exceptions = rule.find("when_missing"); exceptions != rule.end()) {
    for (const auto& [field, alternative] : exceptions->items()) {
      if (!person_has(person, field)) return apply(alternative, from_ms, department);
    }
  }
  return apply(rule, from_ms, department);
}

void check_deadline_rule(const Json& rule) {
  deadline_ms(rule, 0, Json::object(), "");
  if (auto exceptions = rule.find("when_missing"); exceptions != rule.end()) {
    if (!exceptions->is_object()) throw std::invalid_argument("when_missing must be an object");
    for (const auto& [field, alternative] : exceptions->items()) {
      person_has(Json::object(), field);
      apply(alternative, 0, "");
    }
  }
}

}  // namespace guichet::cases
