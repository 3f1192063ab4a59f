#include "demande.hpp"

#include "proof.hpp"

#include <guichet/connectors/contact.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/forms.hpp>

namespace guichet::caf {

using connectors::object_field;
using connectors::set_if;
using connectors::text_field;

sdk::Json demande(const sdk::Json& dispatch) {
  const sdk::Json& person = object_field(dispatch, "person");
  const sdk::Json& situation = object_field(dispatch, "situation");
  const sdk::Json& proof = object_field(situation, "proof");

  sdk::Json demandeur = connectors::identity_form(person);
  set_if(demandeur, "nir", text_field(person, "nir"));
  set_if(demandeur, "numeroAllocataire", text_field(person, "caf_number"));

  // The abuser can read a CAF file he belongs to: then no contact detail goes in it at all, even
  // if the hub's projection failed to remove them, and the CAF reaches her through the référent.
  bool secured = connectors::flag_field(situation, "abuser_in_caf_household");
  connectors::Channel channel = connectors::Channel::referent_only;
  if (!secured) {
    connectors::Contact contact = connectors::safe_contact(person, situation);
    channel = contact.channel;
    set_if(demandeur, "telephone", contact.phone);
    set_if(demandeur, "courriel", contact.email);
    // The CAF notifies its decisions by letter: to the safe address, never the old household's.
    if (auto address = connectors::postal_address(person, "contact_address")) {
      demandeur["adresseContact"] = {
          {"ligne", address->line}, {"codePostal", address->postcode}, {"commune", address->city}};
    }
  }

  return sdk::Json{{"typeDemande", "AUU"},
                   {"referenceExterne", dispatch.at("request_id")},
                   {"demandeur", demandeur},
                   {"justificatif",
                    {{"type", justificatif_type(situation).value_or("")},
                     {"date", text_field(proof, "date").value_or("")}}},
                   {"enfants", connectors::children_form(person.value("children", sdk::Json::array()))},
                   {"securisationDossier", secured},
                   {"canalContact", connectors::channel_code(channel)}};
}

}  // namespace guichet::caf
