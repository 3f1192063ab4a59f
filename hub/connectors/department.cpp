#include "hub/connectors/department.h"

#include "hub/connectors/errors.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace guichet::connectors {
namespace {

class Reader {
 public:
  explicit Reader(const std::string& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw ConfigError(file_, field, message);
  }

  const Json& member(const Json& object, const std::string& where, const char* key) const {
    auto it = object.find(key);
    if (it == object.end()) fail(join(where, key), "is required");
    return *it;
  }

  std::string text(const Json& object, const std::string& where, const char* key) const {
    const Json& value = member(object, where, key);
    if (!value.is_string() || value.get<std::string>().empty()) fail(join(where, key), "must be a non-empty string");
    return value.get<std::string>();
  }

  static std::string join(const std::string& where, const char* key) {
    return where.empty() ? key : where + "." + key;
  }

 private:
  const std::string& file_;
};

InstanceConfig parse_instance(const Reader& reader, const Json& json, const std::string& where) {
  if (!json.is_object()) reader.fail(where, "must be an object");
  InstanceConfig config;
  config.instance = reader.text(json, where, "instance");
  config.plugin = reader.text(json, where, "plugin");
  config.agency = reader.text(json, where, "agency");

  const Json& needs = reader.member(json, where, "needs");
  std::string needs_field = where + ".needs";
  if (!needs.is_array() || needs.empty()) reader.fail(needs_field, "must be a non-empty array of need kinds");
  for (std::size_t i = 0; i < needs.size(); ++i) {
    std::string field = needs_field + "[" + std::to_string(i) + "]";
    if (!needs[i].is_string()) reader.fail(field, "must be a string");
    std::string kind = needs[i].get<std::string>();
    if (!is_need_kind(kind)) reader.fail(field, "unknown need kind \"" + kind + "\"");
    for (const std::string& seen : config.needs) {
      if (seen == kind) reader.fail(field, "need kind \"" + kind + "\" is listed twice");
    }
    config.needs.push_back(kind);
  }

  if (auto it = json.find("poll_interval_s"); it != json.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 86400) {
      reader.fail(where + ".poll_interval_s", "must be an integer from 1 to 86400");
    }
    config.poll_interval_s = it->get<int>();
  }
  if (auto it = json.find("deadline"); it != json.end()) config.deadline = *it;
  config.settings = Json::object();
  if (auto it = json.find("settings"); it != json.end()) {
    if (!it->is_object()) reader.fail(where + ".settings", "must be an object");
    config.settings = *it;
  }
  return config;
}

}  // namespace

Department parse_department(const Json& json, const std::string& file) {
  Reader reader(file);
  if (!json.is_object()) reader.fail("", "must be a JSON object");
  Department department;
  department.file = file;
  department.code = reader.text(json, "", "department");
  department.name = reader.text(json, "", "name");
  const Json& instances = reader.member(json, "", "instances");
  if (!instances.is_array()) reader.fail("instances", "must be an array");

  std::set<std::string> names;
  std::map<std::string, std::string> served_by;  // need kind -> instance
  for (std::size_t i = 0; i < instances.size(); ++i) {
    std::string where = "instances[" + std::to_string(i) + "]";
    InstanceConfig config = parse_instance(reader, instances[i], where);
    if (!names.insert(config.instance).second) {
      reader.fail(where + ".instance", "instance name \"" + config.instance + "\" is used twice");
    }
    for (std::size_t k = 0; k < config.needs.size(); ++k) {
      auto [it, added] = served_by.emplace(config.needs[k], config.instance);
      if (!added) {
        reader.fail(where + ".needs[" + std::to_string(k) + "]",
                    "need \"" + config.needs[k] + "\" is already served by instance \"" + it->second + "\"");
      }
    }
    config.department = department.code;
    config.file = file;
    department.instances.push_back(std::move(config));
  }
  return department;
}

Department read_department(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string(), "", "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  Json json = Json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) throw ConfigError(path.string(), "", "is not valid JSON");
  return parse_department(json, path.string());
}

}  // namespace guichet::connectors
