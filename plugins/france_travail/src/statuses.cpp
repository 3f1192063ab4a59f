#include "statuses.hpp"

#include <map>

namespace guichet::france_travail {

std::optional<std::string> hub_state(const std::string& statut) {
  static const std::map<std::string, std::string> states = {
      {"TRANSMISE", "acknowledged"}, {"EN_COURS", "in_review"}, {"ACCEPTEE", "accepted"},
      {"REFUSEE", "refused"},        {"ANNULEE", "withdrawn"}};
  auto it = states.find(statut);
  if (it == states.end()) return std::nullopt;
  return it->second;
}

}  // namespace guichet::france_travail
