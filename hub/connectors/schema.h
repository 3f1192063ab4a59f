// A small JSON Schema validator for connector settings (the manifest's "settings_schema").
//
// Supported keywords:
//   type                  "string" "number" "integer" "boolean" "object" "array" "null", or an
//                         array of them; "integer" accepts numbers without a fractional part
//   properties            schemas of named members (members not present are not checked)
//   required              member names that must be present
//   additionalProperties  false, or a schema for members not listed in "properties"
//   enum, const           the value must equal one of the listed values / the given value
//   pattern               std::regex (ECMAScript), searched anywhere in the string as JSON Schema says
//   minLength, maxLength  counted in characters (code points), not bytes
//   minimum, maximum      inclusive bounds for numbers
//   items                 one schema applied to every element of an array
//   minItems, maxItems    bounds on an array's size
//   format "uri"          an absolute http or https URL with a host
// A schema may also be the boolean true (anything) or false (nothing). Unknown keywords, other
// formats and "items" given as an array are ignored.
//
// Error messages name the rule broken, never the value: values may be secrets or personal data.
#ifndef GUICHET_HUB_CONNECTORS_SCHEMA_H
#define GUICHET_HUB_CONNECTORS_SCHEMA_H

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace guichet::connectors {

using Json = nlohmann::json;

struct SchemaError {
  std::string path;     // where the value breaks the schema, e.g. "settings.token_url", "items[2].kind"
  std::string message;  // which rule, e.g. "must be an http or https URL"
};

// The first place where `value` breaks `schema`, or nothing when it is valid. `root` prefixes
// every path ("settings" gives "settings.token_url"; "" gives "token_url").
std::optional<SchemaError> validate(const Json& schema, const Json& value, const std::string& root = "");

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_SCHEMA_H
