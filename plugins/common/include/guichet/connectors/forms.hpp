// The person as agencies' forms name her, after API Particulier (nomNaissance, prenoms, ...):
// the vocabulary the CAF, the SIAO and the other French agencies share. Absent fields stay absent.
#ifndef GUICHET_CONNECTORS_FORMS_HPP
#define GUICHET_CONNECTORS_FORMS_HPP

#include <guichet/sdk/connector.hpp>

#include <optional>
#include <string>

namespace guichet::connectors {

void set_if(sdk::Json& object, const char* key, const std::optional<std::string>& value);

// {"nomNaissance","nomUsage","prenoms","sexeEtatCivil","dateNaissance"} from the person's fields.
sdk::Json identity_form(const sdk::Json& person);

// [{"prenom","dateNaissance"}] from the hub's children [{"given_name","birth_date"}].
sdk::Json children_form(const sdk::Json& children);

}  // namespace guichet::connectors

#endif
