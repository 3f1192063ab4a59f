// Which person and situation fields a connector instance may receive. A manifest declares the most
// its plugin may ever get; a department may narrow that per instance, and must for a generic
// plugin (fields_from_instance), which serves partners its author never knew.
#ifndef GUICHET_HUB_CONNECTORS_FIELD_SET_H
#define GUICHET_HUB_CONNECTORS_FIELD_SET_H

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>

namespace guichet::connectors {

struct Manifest;

// The settings key under which a generic plugin's create() receives its instance's fields; reserved,
// so a department file may not use it.
inline constexpr const char* kFieldsKey = "_fields";

struct FieldSet {
  std::set<std::string> person, situation;

  bool operator==(const FieldSet&) const = default;
  // {"person":[...],"situation":[...]}, sorted.
  nlohmann::json to_json() const;
};

// What the hub hands an instance: the manifest's fields, narrowed to the instance's own declaration
// when it has one. A generic plugin's instance that declares nothing gets nothing.
FieldSet effective_fields(const Manifest& manifest, const std::optional<FieldSet>& declared);

// The first field the instance declares that the manifest does not allow ("person.nir"); nothing
// when the manifest allows them all.
std::optional<std::string> first_not_allowed(const Manifest& manifest, const FieldSet& declared);

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_FIELD_SET_H
