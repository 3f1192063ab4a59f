#include "hub/connectors/schema.h"

#include "hub/connectors/text.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <cmath>
#include <regex>

namespace guichet::connectors {
namespace {

std::string member_path(const std::string& root, const std::string& name) {
  return root.empty() ? name : root + "." + name;
}

std::string item_path(const std::string& root, std::size_t index) {
  return root + "[" + std::to_string(index) + "]";
}

bool has_type(const Json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    double number = value.get<double>();
    return std::isfinite(number) && std::floor(number) == number;
  }
  return false;
}

std::optional<SchemaError> check_type(const Json& type, const Json& value, const std::string& path) {
  if (type.is_string()) {
    if (has_type(value, type.get<std::string>())) return std::nullopt;
    return SchemaError{path, "must be of type " + type.get<std::string>()};
  }
  if (!type.is_array()) return std::nullopt;
  std::string names;
  for (const Json& each : type) {
    if (!each.is_string()) continue;
    if (has_type(value, each.get<std::string>())) return std::nullopt;
    names += (names.empty() ? "" : " or ") + each.get<std::string>();
  }
  return SchemaError{path, "must be of type " + names};
}

bool is_web_url(const std::string& text) {
  try {
    Poco::URI uri(text);
    return (uri.getScheme() == "http" || uri.getScheme() == "https") && !uri.getHost().empty();
  } catch (const Poco::Exception&) {
    return false;
  }
}

// A schema's number keyword, or nullptr when it is absent or not a number.
const Json* number_keyword(const Json& schema, const char* name) {
  auto it = schema.find(name);
  return it == schema.end() || !it->is_number() ? nullptr : &*it;
}

// The bound as written in the schema ("1", not "1.0").
std::string format_number(const Json* bound) { return bound->dump(); }

std::optional<SchemaError> check_string(const Json& schema, const std::string& text,
                                        const std::string& path) {
  std::size_t length = count_code_points(text);
  if (auto minimum = number_keyword(schema, "minLength"); minimum && length < minimum->get<double>()) {
    return SchemaError{path, "must be at least " + format_number(minimum) + " characters long"};
  }
  if (auto maximum = number_keyword(schema, "maxLength"); maximum && length > maximum->get<double>()) {
    return SchemaError{path, "must be at most " + format_number(maximum) + " characters long"};
  }
  if (auto pattern = schema.find("pattern"); pattern != schema.end() && pattern->is_string()) {
    try {
      if (!std::regex_search(text, std::regex(pattern->get<std::string>(), std::regex::ECMAScript))) {
        return SchemaError{path, "must match the pattern " + pattern->get<std::string>()};
      }
    } catch (const std::regex_error&) {
      return SchemaError{path, "the schema's pattern is not a valid regular expression"};
    }
  }
  if (schema.value("format", "") == "uri" && !is_web_url(text)) {
    return SchemaError{path, "must be an http or https URL"};
  }
  return std::nullopt;
}

std::optional<SchemaError> check_number(const Json& schema, double number, const std::string& path) {
  if (auto minimum = number_keyword(schema, "minimum"); minimum && number < minimum->get<double>()) {
    return SchemaError{path, "must be at least " + format_number(minimum)};
  }
  if (auto maximum = number_keyword(schema, "maximum"); maximum && number > maximum->get<double>()) {
    return SchemaError{path, "must be at most " + format_number(maximum)};
  }
  return std::nullopt;
}

std::optional<SchemaError> check_array(const Json& schema, const Json& array, const std::string& path) {
  if (auto minimum = number_keyword(schema, "minItems"); minimum && array.size() < minimum->get<double>()) {
    return SchemaError{path, "must have at least " + format_number(minimum) + " items"};
  }
  if (auto maximum = number_keyword(schema, "maxItems"); maximum && array.size() > maximum->get<double>()) {
    return SchemaError{path, "must have at most " + format_number(maximum) + " items"};
  }
  if (auto items = schema.find("items"); items != schema.end() && !items->is_array()) {
    for (std::size_t i = 0; i < array.size(); ++i) {
      if (auto error = validate(*items, array[i], item_path(path, i))) return error;
    }
  }
  return std::nullopt;
}

std::optional<SchemaError> check_object(const Json& schema, const Json& object, const std::string& path) {
  if (auto required = schema.find("required"); required != schema.end() && required->is_array()) {
    for (const Json& name : *required) {
      if (name.is_string() && !object.contains(name.get<std::string>())) {
        return SchemaError{member_path(path, name.get<std::string>()), "is required"};
      }
    }
  }
  static const Json no_properties = Json::object();
  auto found = schema.find("properties");
  const Json& properties = found != schema.end() && found->is_object() ? *found : no_properties;
  auto additional = schema.find("additionalProperties");
  for (const auto& [name, member] : object.items()) {
    std::string where = member_path(path, name);
    if (auto property = properties.find(name); property != properties.end()) {
      if (auto error = validate(*property, member, where)) return error;
    } else if (additional != schema.end()) {
      if (additional->is_boolean() && !additional->get<bool>()) return SchemaError{where, "is not allowed"};
      if (auto error = validate(*additional, member, where)) return error;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<SchemaError> validate(const Json& schema, const Json& value, const std::string& root) {
  if (schema.is_boolean()) {
    if (schema.get<bool>()) return std::nullopt;
    return SchemaError{root, "is not allowed"};
  }
  if (!schema.is_object()) return std::nullopt;
  if (auto type = schema.find("type"); type != schema.end()) {
    if (auto error = check_type(*type, value, root)) return error;
  }
  if (auto choices = schema.find("enum"); choices != schema.end() && choices->is_array()) {
    bool listed = false;
    for (const Json& choice : *choices) listed = listed || choice == value;
    if (!listed) return SchemaError{root, "must be one of the allowed values"};
  }
  if (auto constant = schema.find("const"); constant != schema.end() && *constant != value) {
    return SchemaError{root, "must equal the schema's constant"};
  }
  if (value.is_string()) return check_string(schema, value.get<std::string>(), root);
  if (value.is_number()) return check_number(schema, value.get<double>(), root);
  if (value.is_array()) return check_array(schema, value, root);
  if (value.is_object()) return check_object(schema, value, root);
  return std::nullopt;
}

}  // namespace guichet::connectors
