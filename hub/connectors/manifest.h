// A connector's manifest: the <id>.json beside <id>.so, read before any of the plugin's code runs.
//
//   {"id":"caf","version":"1.0.0","name":"CAF — aide universelle d'urgence","abi":1,
//    "channel":"rest","docs":"plugins/caf/README.md",
//    "needs":["allowance"],"person_fields":["birth_name",..],"situation_fields":[..],
//    "shared_with_household":false,"capabilities":["render","deliver","poll"],
//    "fields_from_instance":false,
//    "settings_schema":{..JSON Schema, see schema.h..},"example_settings":{..}}
//
// Required: id, version, name, abi, needs, capabilities. The others default to empty (the schema to
// {}, which accepts any settings). example_settings, when given, must satisfy settings_schema.
// A generic connector (one that any partner configures) sets fields_from_instance: its "fields"
// are then only the most it may ever receive, and each instance must declare its own (see
// department.h); the hub hands it the intersection.
#ifndef GUICHET_HUB_CONNECTORS_MANIFEST_H
#define GUICHET_HUB_CONNECTORS_MANIFEST_H

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::connectors {

using Json = nlohmann::json;

// The kinds of need a request can be about: allowance employment housing childcare psych_support.
bool is_need_kind(std::string_view kind);

// The operations a manifest may declare: render deliver withdraw answer poll on_inbound on_email.
bool is_capability(std::string_view name);

struct Manifest {
  std::string id, version, name, channel, docs;
  int abi = 0;
  std::vector<std::string> needs;
  std::set<std::string> person_fields, situation_fields;
  bool shared_with_household = false;
  bool fields_from_instance = false;
  std::set<std::string> capabilities;  // render, deliver, withdraw, answer, poll, on_inbound, on_email
  Json settings_schema, example_settings;

  // Throws ConfigError naming the field (and `file`, when given) that is missing or malformed.
  static Manifest parse(const Json& json);
  static Manifest parse(const Json& json, const std::string& file);
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_MANIFEST_H
