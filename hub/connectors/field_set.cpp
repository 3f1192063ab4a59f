#include "hub/connectors/field_set.h"

#include "hub/connectors/manifest.h"

#include <algorithm>
#include <iterator>

namespace guichet::connectors {
namespace {

std::set<std::string> intersection(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(both, both.end()));
  return both;
}

}  // namespace

nlohmann::json FieldSet::to_json() const { return {{"person", person}, {"situation", situation}}; }

FieldSet effective_fields(const Manifest& manifest, const std::optional<FieldSet>& declared) {
  if (!declared) {
    if (manifest.fields_from_instance) return {};
    return {manifest.person_fields, manifest.situation_fields};
  }
  return {intersection(manifest.person_fields, declared->person),
          intersection(manifest.situation_fields, declared->situation)};
}

std::optional<std::string> first_not_allowed(const Manifest& manifest, const FieldSet& declared) {
  for (const std::string& field : declared.person) {
    if (!manifest.person_fields.count(field)) return "person." + field;
  }
  for (const std::string& field : declared.situation) {
    if (!manifest.situation_fields.count(field)) return "situation." + field;
  }
  return std::nullopt;
}

}  // namespace guichet::connectors
