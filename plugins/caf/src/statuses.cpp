#include "statuses.hpp"

#include <guichet/connectors/fields.hpp>

#include <map>

namespace guichet::caf {

using connectors::text_field;

std::optional<std::string> hub_state(const std::string& statut) {
  static const std::map<std::string, std::string> states = {
      {"recue", "acknowledged"},         {"en_instruction", "in_review"}, {"accordee", "accepted"},
      {"refusee", "refused"},            {"piece_manquante", "info_requested"},
      {"retiree", "withdrawn"}};
  auto it = states.find(statut);
  if (it == states.end()) return std::nullopt;
  return it->second;
}

std::optional<connectors::StatusEvent> status_event(const sdk::Json& document,
                                                    const std::string& fallback_at) {
  auto reference = text_field(document, "reference");
  auto statut = text_field(document, "statut");
  if (!reference || !statut) return std::nullopt;
  auto state = hub_state(*statut);
  if (!state) return std::nullopt;
  connectors::StatusEvent event;
  event.agency_reference = *reference;
  event.state = *state;
  event.message = text_field(document, "motif");
  event.at = text_field(document, "dateMaj").value_or(fallback_at);
  return event;
}

}  // namespace guichet::caf
