// Reading fields of request bodies the client controls, where any field may be absent or of the
// wrong type.
#ifndef GUICHET_SIM_COMMON_JSON_FIELDS_HPP
#define GUICHET_SIM_COMMON_JSON_FIELDS_HPP

#include "common/http.hpp"

#include <string>

namespace guichet::sim {

// The value at a dotted path ("demandeur.nomNaissance"), or null when any step is missing.
nlohmann::json field_at(const nlohmann::json& body, const std::string& dotted_path);

// True when the field is absent, null, or an empty string, array or object.
bool is_missing(const nlohmann::json& body, const std::string& dotted_path);

// The field when it is a string, else empty.
std::string text_at(const nlohmann::json& body, const std::string& dotted_path);

// 400 {"error":"invalid_request","champ":<name>}
Response invalid_field(const std::string& name);

// JSON null for an empty motif, the motif otherwise.
Json motif_or_null(const std::string& motif);

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_JSON_FIELDS_HPP
