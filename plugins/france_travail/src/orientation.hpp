// France Travail's two calls for one orientation: find the person, then orient her.
#ifndef GUICHET_FRANCE_TRAVAIL_ORIENTATION_HPP
#define GUICHET_FRANCE_TRAVAIL_ORIENTATION_HPP

#include <guichet/sdk/connector.hpp>

#include <optional>
#include <string>

namespace guichet::france_travail {

// What render shows for the person's identifier, which only the look-up answers.
inline constexpr const char* kIdentifiantShown = "<identifiant>";

// What the référent must give first: France Travail finds a person by NIR and birth date only.
std::optional<std::string> identity_problem(const sdk::Json& person);

// Body of POST /partenaire/rechercher-usager/v1/usagers/recherche.
sdk::Json recherche(const sdk::Json& person);

// Body of POST /partenaire/orientation/v1/orientations, for the identifier `identifiant`.
sdk::Json orientation(const sdk::Json& dispatch, const std::string& identifiant);

}  // namespace guichet::france_travail

#endif
