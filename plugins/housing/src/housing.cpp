// Housing connector: a request for emergency or insertion housing, mailed to the department's
// SIAO (the 115's dispatching service), with the SIAO request form attached as JSON.
#include <guichet/connectors/contact.hpp>
#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/forms.hpp>
#include <guichet/connectors/mail.hpp>
#include <guichet/connectors/mail_body.hpp>
#include <guichet/connectors/mail_connector.hpp>

namespace guichet::housing {

using connectors::MailBody;
using connectors::object_field;
using connectors::text_field;
using sdk::Json;

namespace {

constexpr const char* kAttachment = "demande-siao.json";

bool tonight(const Json& dispatch) {
  return text_field(object_field(dispatch, "need"), "urgency") == "tonight";
}

// The person as the SIAO's form needs her: identity, household, languages; never an address.
Json siao_form(const Json& dispatch, const connectors::Contact& contact) {
  const Json& person = object_field(dispatch, "person");
  Json demandeur = connectors::identity_form(person);
  demandeur["langues"] = connectors::text_list(person, "languages");
  Json children = connectors::children_form(person.value("children", Json::array()));
  return Json{{"formulaire", "demande-siao"},
              {"version", 1},
              {"referenceDemande", dispatch.at("request_id")},
              {"correlation", text_field(dispatch, "correlation").value_or("")},
              {"departementPrescripteur", text_field(object_field(dispatch, "referent"), "department").value_or("")},
              {"urgence", tonight(dispatch) ? "mise_a_l_abri_ce_soir" : "sans_urgence_immediate"},
              {"public", "victime_violences_conjugales"},
              {"demandeur", demandeur},
              {"composition", {{"adultes", 1}, {"enfants", children}}},
              {"contact", connectors::contact_form(contact)}};
}

std::string body(const Json& dispatch, const connectors::Contact& contact) {
  const Json& person = object_field(dispatch, "person");
  std::string department = text_field(object_field(dispatch, "referent"), "department").value_or("");
  MailBody text;
  text.paragraph("Bonjour,")
      .paragraph("Dans le cadre du Pack nouveau départ, un référent du département " + department +
                 " vous adresse une demande d'hébergement pour une personne victime de violences "
                 "conjugales. Une place adaptée est souhaitée.");
  if (tonight(dispatch)) {
    text.paragraph("MISE À L'ABRI CE SOIR : la personne doit être hébergée dès ce soir.");
  }
  text.heading("Personne")
      .item("Nom de naissance", text_field(person, "birth_name"))
      .item("Nom d'usage", text_field(person, "usage_name"))
      .item("Prénoms", connectors::join(connectors::text_list(person, "given_names"), " "))
      .item("Sexe", text_field(person, "sex"));
  if (auto born = text_field(person, "birth_date")) {
    text.item("Date de naissance", connectors::format_french_date(*born));
  }
  auto languages = connectors::text_list(person, "languages");
  if (!languages.empty()) text.item("Langues parlées", connectors::join(languages, ", "));
  const Json children = person.value("children", Json::array());
  text.heading("Enfants accompagnants");
  if (children.empty()) text.item("Aucun");
  text.children(children).contact(contact).closing(dispatch, kAttachment);
  return text.text();
}

}  // namespace

class Housing : public connectors::MailConnector {
 public:
  Housing(sdk::Host host, Json settings) : MailConnector(host, std::move(settings), "SIAO") {}

 protected:
  Json mail(const Json& dispatch) const override {
    const Json& person = object_field(dispatch, "person");
    connectors::Contact contact = connectors::safe_contact(person, object_field(dispatch, "situation"));
    std::string title = "Demande d'hébergement — Pack nouveau départ";
    if (tonight(dispatch)) title = "MISE À L'ABRI CE SOIR — " + title;
    return connectors::make_mail(dispatch, to(), title, body(dispatch, contact),
                                 {kAttachment, siao_form(dispatch, contact)});
  }
};

}  // namespace guichet::housing

GUICHET_CONNECTOR(guichet::housing::Housing, "housing", "1.0.0")
