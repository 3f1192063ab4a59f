// A department file: which connector instance serves which need in one département.
//
//   {"department":"95","name":"Val-d'Oise","instances":[
//     {"instance":"caf-95","plugin":"caf","agency":"CAF du Val-d'Oise","needs":["allowance"],
//      "poll_interval_s":30,"deadline":{..},"settings":{..}}]}
//
// Required: department, name, instances and, per instance, instance, plugin, agency, needs.
// settings defaults to {}, poll_interval_s to 30, deadline to null. "version" picks one of a plugin's
// versions installed side by side (<plugin>@<version>.so); "plugin_sha256" pins the plugin file's
// digest, which the registry checks before it loads the file. "trusted": true runs the plugin
// inside the hub instead of a process of its own; "retry" overrides the hub's retry policy (read by
// the dispatcher), "isolation": {"deadline_ms","memory_mb"} the limits of its process. An instance may narrow what it receives with "fields": {"person":[...],"situation":[...]} (required for a generic plugin, see
// manifest.h); settings may not use the reserved key "_fields".
//
// A need may be served by several instances: a request for it then goes to each of them (the SIAO
// and a local association both get the housing request), each followed as its own request.
#ifndef GUICHET_HUB_CONNECTORS_DEPARTMENT_H
#define GUICHET_HUB_CONNECTORS_DEPARTMENT_H

#include "hub/connectors/instance.h"

#include <filesystem>
#include <string>
#include <vector>

namespace guichet::connectors {

struct Department {
  std::string code, name, file;
  std::vector<InstanceConfig> instances;  // in file order; index i is "instances[i]"
};

// Throws ConfigError naming `file` and the field: not JSON, a missing key, a wrong type, an unknown
// need kind or field, a need listed twice by one instance, an instance name used twice.
Department parse_department(const Json& json, const std::string& file);

// Reads and parses one department file.
Department read_department(const std::filesystem::path& path);

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_DEPARTMENT_H
