#include "common/json_fields.hpp"

#include <sstream>

namespace guichet::sim {

nlohmann::json field_at(const nlohmann::json& body, const std::string& dotted_path) {
  const nlohmann::json* node = &body;
  std::istringstream steps(dotted_path);
  std::string step;
  while (std::getline(steps, step, '.')) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(step);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return *node;
}

bool is_missing(const nlohmann::json& body, const std::string& dotted_path) {
  const nlohmann::json value = field_at(body, dotted_path);
  return value.is_null() || ((value.is_string() || value.is_array() || value.is_object()) && value.empty());
}

std::string text_at(const nlohmann::json& body, const std::string& dotted_path) {
  const nlohmann::json value = field_at(body, dotted_path);
  return value.is_string() ? value.get<std::string>() : std::string();
}

Response invalid_field(const std::string& name) {
  return Response::json(400, Json{{"error", "invalid_request"}, {"champ", name}});
}

Json motif_or_null(const std::string& motif) { return motif.empty() ? Json(nullptr) : Json(motif); }

}  // namespace guichet::sim
