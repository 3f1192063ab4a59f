#include "hub/connectors/manifest.h"

#include "hub/domain/person_fields.h"

#include "hub/connectors/errors.h"
#include "hub/connectors/schema.h"

#include <algorithm>
#include <array>
#include <regex>

namespace guichet::connectors {
namespace {

constexpr std::array<std::string_view, 5> kNeedKinds = {"allowance", "employment", "housing",
                                                        "childcare", "psych_support"};
constexpr std::array<std::string_view, 7> kCapabilities = {"render", "deliver",    "withdraw", "answer",
                                                           "poll",   "on_inbound", "on_email"};

// Reads one manifest, naming `file` in every error.
class Reader {
 public:
  Reader(const Json& json, const std::string& file) : json_(json), file_(file) {
    if (!json_.is_object()) fail("", "must be a JSON object");
  }

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw ConfigError(file_, field, message);
  }

  const Json* find(const char* key) const {
    auto it = json_.find(key);
    return it == json_.end() ? nullptr : &*it;
  }

  std::string text(const char* key, bool required) const {
    const Json* value = find(key);
    if (!value) {
      if (required) fail(key, "is required");
      return {};
    }
    if (!value->is_string()) fail(key, "must be a string");
    if (required && value->get<std::string>().empty()) fail(key, "must not be empty");
    return value->get<std::string>();
  }

  std::vector<std::string> texts(const char* key, bool required) const {
    const Json* value = find(key);
    if (!value) {
      if (required) fail(key, "is required");
      return {};
    }
    if (!value->is_array()) fail(key, "must be an array of strings");
    std::vector<std::string> items;
    for (std::size_t i = 0; i < value->size(); ++i) {
      const Json& item = (*value)[i];
      std::string field = std::string(key) + "[" + std::to_string(i) + "]";
      if (!item.is_string()) fail(field, "must be a string");
      if (std::find(items.begin(), items.end(), item.get<std::string>()) != items.end()) {
        fail(field, "is listed twice");
      }
      items.push_back(item.get<std::string>());
    }
    return items;
  }

  // Each listed item must be accepted by `known`; `what` names the kind of item in the error.
  template <typename Known>
  std::vector<std::string> known_texts(const char* key, Known known, const char* what) const {
    std::vector<std::string> items = texts(key, true);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!known(items[i])) {
        fail(std::string(key) + "[" + std::to_string(i) + "]", std::string("unknown ") + what + " \"" +
                                                                   items[i] + "\"");
      }
    }
    return items;
  }

 private:
  const Json& json_;
  const std::string& file_;
};

}  // namespace

bool is_need_kind(std::string_view kind) {
  return std::find(kNeedKinds.begin(), kNeedKinds.end(), kind) != kNeedKinds.end();
}

bool is_capability(std::string_view name) {
  return std::find(kCapabilities.begin(), kCapabilities.end(), name) != kCapabilities.end();
}

Manifest Manifest::parse(const Json& json) { return parse(json, ""); }

Manifest Manifest::parse(const Json& json, const std::string& file) {
  Reader reader(json, file);
  Manifest manifest;
  manifest.id = reader.text("id", true);
  // The id names the plugin's files and appears in department files and logs: keep it plain.
  static const std::regex id_pattern("^[a-z0-9][a-z0-9_.-]*$");
  if (!std::regex_match(manifest.id, id_pattern)) {
    reader.fail("id", "must be lower-case letters, digits, '_', '.' or '-'");
  }
  manifest.version = reader.text("version", true);
  manifest.name = reader.text("name", true);
  manifest.channel = reader.text("channel", false);
  manifest.docs = reader.text("docs", false);

  const Json* abi = reader.find("abi");
  if (!abi) reader.fail("abi", "is required");
  if (!abi->is_number_integer()) reader.fail("abi", "must be an integer");
  manifest.abi = abi->get<int>();

  manifest.needs = reader.known_texts("needs", is_need_kind, "need kind");
  if (manifest.needs.empty()) reader.fail("needs", "must list at least one need kind");
  std::vector<std::string> capabilities = reader.known_texts("capabilities", is_capability, "capability");
  manifest.capabilities.insert(capabilities.begin(), capabilities.end());
  // What the connector may receive is a privacy decision: it must be written down, field by field,
  // even when the answer is "nothing".
  const Json* fields = reader.find("fields");
  if (!fields) reader.fail("fields", "is required: {\"person\": [...], \"situation\": [...]}");
  if (!fields->is_object()) reader.fail("fields", "must be an object");
  for (const auto& [key, value] : fields->items()) {
    if (key != "person" && key != "situation") reader.fail("fields." + key, "unknown group (person or situation)");
  }
  auto declared = [&](const char* group, bool (*known)(std::string_view), std::set<std::string>& into) {
    std::string path = std::string("fields.") + group;
    auto list = fields->find(group);
    if (list == fields->end()) reader.fail(path, "is required (an empty list declares nothing)");
    if (!list->is_array()) reader.fail(path, "must be an array of field names");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json& name = (*list)[i];
      std::string where = path + "[" + std::to_string(i) + "]";
      if (!name.is_string()) reader.fail(where, "must be a string");
      if (!known(name.get<std::string>())) reader.fail(where, "unknown field \"" + name.get<std::string>() + "\"");
      if (!into.insert(name.get<std::string>()).second) reader.fail(where, "is listed twice");
    }
  };
  declared("person", is_person_field, manifest.person_fields);
  declared("situation", is_situation_field, manifest.situation_fields);

  if (const Json* shared = reader.find("shared_with_household")) {
    if (!shared->is_boolean()) reader.fail("shared_with_household", "must be true or false");
    manifest.shared_with_household = shared->get<bool>();
  }
  if (const Json* from_instance = reader.find("fields_from_instance")) {
    if (!from_instance->is_boolean()) reader.fail("fields_from_instance", "must be true or false");
    manifest.fields_from_instance = from_instance->get<bool>();
  }

  manifest.settings_schema = Json::object();
  if (const Json* schema = reader.find("settings_schema")) {
    if (!schema->is_object() && !schema->is_boolean()) {
      reader.fail("settings_schema", "must be a JSON Schema (an object)");
    }
    manifest.settings_schema = *schema;
  }
  manifest.example_settings = Json::object();
  if (const Json* example = reader.find("example_settings")) {
    if (auto error = validate(manifest.settings_schema, *example, "example_settings")) {
      reader.fail(error->path, error->message);
    }
    manifest.example_settings = *example;
  }
  return manifest;
}

}  // namespace guichet::connectors
