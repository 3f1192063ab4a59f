// A department file: which connector instance serves which need in one département.
//
//   {"department":"95","name":"Val-d'Oise","instances":[
//     {"instance":"caf-95","plugin":"caf","agency":"CAF du Val-d'Oise","needs":["allowance"],
//      "poll_interval_s":30,"deadline":{..},"settings":{..}}]}
//
// Required: department, name, instances and, per instance, instance, plugin, agency, needs.
// settings defaults to {}, poll_interval_s to 30, deadline to null.
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
// need kind, a need served by two instances, an instance name used twice.
Department parse_department(const Json& json, const std::string& file);

// Reads and parses one department file.
Department read_department(const std::filesystem::path& path);

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_DEPARTMENT_H
