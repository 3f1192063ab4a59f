// Reads a request body as JSON, refusing what a lenient parser would let through: duplicate keys
// (which value would each reader see?), nesting deeper than any real request, invalid UTF-8.
#ifndef GUICHET_HUB_HTTP_JSON_BODY_H
#define GUICHET_HUB_HTTP_JSON_BODY_H

#include <nlohmann/json.hpp>

#include <string>

namespace guichet::http {

inline constexpr int kMaxJsonDepth = 16;

// Throws ApiError 400 invalid_json with a message that quotes nothing of the body.
nlohmann::json parse_json_body(const std::string& body);

}  // namespace guichet::http

#endif
