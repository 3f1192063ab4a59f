// Reading the hub's person and situation fields, which are all optional after projection.
#ifndef GUICHET_CONNECTORS_FIELDS_HPP
#define GUICHET_CONNECTORS_FIELDS_HPP

#include <guichet/sdk/connector.hpp>

#include <optional>
#include <string>
#include <vector>

namespace guichet::connectors {

// A non-empty string member, or nothing (absent, null, empty or not a string).
inline std::optional<std::string> text_field(const sdk::Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) return std::nullopt;
  return it->get<std::string>();
}

// The strings of an array member; empty when absent. Non-string items are skipped.
inline std::vector<std::string> text_list(const sdk::Json& object, const char* key) {
  std::vector<std::string> values;
  if (!object.is_object()) return values;
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return values;
  for (const auto& item : *it) {
    if (item.is_string()) values.push_back(item.get<std::string>());
  }
  return values;
}

inline bool flag_field(const sdk::Json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

// A member of the dispatch as an object, or an empty object.
inline const sdk::Json& object_field(const sdk::Json& object, const char* key) {
  static const sdk::Json empty = sdk::Json::object();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

}  // namespace guichet::connectors

#endif
