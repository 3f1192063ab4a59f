#include "hub/connectors/department.h"

#include "hub/connectors/errors.h"
#include "hub/domain/person_fields.h"

#include <algorithm>
#include <cctype>
#include <fstream>
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

// An instance's own "fields": {"person":[...],"situation":[...]}, both lists required, as in a manifest.
FieldSet parse_fields(const Reader& reader, const Json& json, const std::string& where) {
  if (!json.is_object()) reader.fail(where, "must be an object: {\"person\": [...], \"situation\": [...]}");
  for (const auto& [key, value] : json.items()) {
    if (key != "person" && key != "situation") reader.fail(where + "." + key, "unknown group (person or situation)");
  }
  FieldSet fields;
  auto group = [&](const char* name, bool (*known)(std::string_view), std::set<std::string>& into) {
    std::string path = where + "." + name;
    auto list = json.find(name);
    if (list == json.end()) reader.fail(path, "is required (an empty list declares nothing)");
    if (!list->is_array()) reader.fail(path, "must be an array of field names");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json& field = (*list)[i];
      std::string at = path + "[" + std::to_string(i) + "]";
      if (!field.is_string()) reader.fail(at, "must be a string");
      if (!known(field.get<std::string>())) reader.fail(at, "unknown field \"" + field.get<std::string>() + "\"");
      if (!into.insert(field.get<std::string>()).second) reader.fail(at, "is listed twice");
    }
  };
  group("person", is_person_field, fields.person);
  group("situation", is_situation_field, fields.situation);
  return fields;
}

// "plugin_sha256": 64 hex digits, kept in lower case so that it compares with file_sha256().
std::string sha256_hex(const Reader& reader, const Json& value, const std::string& field) {
  std::string hex = value.is_string() ? value.get<std::string>() : "";
  bool valid = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c); });
  if (!valid) reader.fail(field, "must be the plugin file's SHA-256, 64 hex digits");
  std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::tolower(c); });
  return hex;
}

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
  if (json.contains("version")) config.version = reader.text(json, where, "version");
  if (json.contains("plugin_sha256")) {
    config.plugin_sha256 = sha256_hex(reader, json["plugin_sha256"], where + ".plugin_sha256");
  }
  if (auto it = json.find("trusted"); it != json.end()) {
    if (!it->is_boolean()) reader.fail(where + ".trusted", "must be true or false");
    config.trusted = it->get<bool>();
  }
  if (auto it = json.find("retry"); it != json.end()) {
    if (!it->is_object()) reader.fail(where + ".retry", "must be an object");  // read by the dispatcher
    config.retry = *it;
  }
  if (auto it = json.find("isolation"); it != json.end()) {
    if (!it->is_object()) reader.fail(where + ".isolation", "must be an object");  // read by Instance
    config.isolation = *it;
  }
  config.settings = Json::object();
  if (auto it = json.find("settings"); it != json.end()) {
    if (!it->is_object()) reader.fail(where + ".settings", "must be an object");
    if (it->contains(kFieldsKey)) {
      reader.fail(where + ".settings." + kFieldsKey, "is reserved: declare fields in the instance's \"fields\"");
    }
    config.settings = *it;
  }
  if (auto it = json.find("fields"); it != json.end()) config.fields = parse_fields(reader, *it, where + ".fields");
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
  for (std::size_t i = 0; i < instances.size(); ++i) {
    std::string where = "instances[" + std::to_string(i) + "]";
    InstanceConfig config = parse_instance(reader, instances[i], where);
    if (!names.insert(config.instance).second) {
      reader.fail(where + ".instance", "instance name \"" + config.instance + "\" is used twice");
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
