#include "orientation.hpp"

#include <guichet/connectors/contact.hpp>
#include <guichet/connectors/fields.hpp>

namespace guichet::france_travail {

using connectors::object_field;
using connectors::text_field;

std::optional<std::string> identity_problem(const sdk::Json& person) {
  if (!text_field(person, "nir")) {
    return "NIR manquant : France Travail identifie la personne par son numéro de sécurité sociale "
           "(NIR) et sa date de naissance. Merci de renseigner le NIR, puis de relancer la demande.";
  }
  if (!text_field(person, "birth_date")) {
    return "Date de naissance manquante : France Travail identifie la personne par son NIR et sa "
           "date de naissance. Merci de la renseigner, puis de relancer la demande.";
  }
  return std::nullopt;
}

sdk::Json recherche(const sdk::Json& person) {
  return sdk::Json{{"nir", *text_field(person, "nir")},
                   {"dateNaissance", *text_field(person, "birth_date")}};
}

sdk::Json orientation(const sdk::Json& dispatch, const std::string& identifiant) {
  const sdk::Json& referent = object_field(dispatch, "referent");
  connectors::Contact safe = connectors::safe_contact(object_field(dispatch, "person"),
                                                      object_field(dispatch, "situation"));
  sdk::Json contact{{"canalPrefere", connectors::channel_code(safe.channel)}};
  if (safe.phone) contact["telephone"] = *safe.phone;
  if (safe.email) contact["courriel"] = *safe.email;
  return sdk::Json{{"identifiant", identifiant},
                   {"motif", "PACK_NOUVEAU_DEPART"},
                   {"referenceExterne", dispatch.at("request_id")},
                   {"prescripteur",
                    {{"identifiant", text_field(referent, "id").value_or("")},
                     {"departement", text_field(referent, "department").value_or("")}}},
                   {"contact", contact}};
}

}  // namespace guichet::france_travail
