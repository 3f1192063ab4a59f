// The one GraphQL query the connector sends to Démarches Simplifiées (API v2), and how it reads the
// answer: a page of a démarche's dossiers changed since a date, or the root errors that make the
// whole answer unusable (the DS documentation advises treating any of them as fatal; a "timeout"
// may come with partial data, which must not be taken for the full page).
#ifndef GUICHET_DEMARCHES_SIMPLIFIEES_GRAPHQL_HPP
#define GUICHET_DEMARCHES_SIMPLIFIEES_GRAPHQL_HPP

#include <guichet/sdk/connector.hpp>

#include <optional>
#include <string>
#include <vector>

namespace guichet::demarches_simplifiees {

// {"query","operationName","variables"} for one page.
sdk::Json dossiers_query(int demarche, const std::optional<std::string>& updated_since,
                         const std::optional<std::string>& after);

struct Dossier {
  std::string number;
  std::string state;  // en_construction, en_instruction, accepte, refuse, sans_suite
  std::optional<std::string> motivation;
  std::string updated_at;  // dateDerniereModification
};

struct DossiersPage {
  std::vector<Dossier> dossiers;
  std::optional<std::string> end_cursor;
  bool has_next_page = false;
};

// Throws std::runtime_error naming the root error codes (never their messages, which may quote
// data), or saying the answer is not a dossiers page.
DossiersPage read_page(const sdk::Json& answer);

// The hub's state for a DS dossier state; nothing for a state the hub does not follow.
std::optional<std::string> hub_state(const std::string& ds_state);

}  // namespace guichet::demarches_simplifiees

#endif
