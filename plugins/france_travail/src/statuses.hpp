// France Travail's orientation statuses, as hub states (docs/agencies.md).
#ifndef GUICHET_FRANCE_TRAVAIL_STATUSES_HPP
#define GUICHET_FRANCE_TRAVAIL_STATUSES_HPP

#include <optional>
#include <string>

namespace guichet::france_travail {

std::optional<std::string> hub_state(const std::string& statut);

}  // namespace guichet::france_travail

#endif
