// Housing connector: a request for emergency or insertion housing, mailed to the department's
// SIAO (the 115's dispatching service), with the SIAO request form attached twice: as a PDF to
// print and as JSON for the SIAO's tools.
#include <guichet/connectors/contact.hpp>
#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/forms.hpp>
#include <guichet/connectors/mail.hpp>
#include <guichet/connectors/mail_body.hpp>
#include <guichet/connectors/mail_connector.hpp>
#include <guichet/connectors/pdf_form.hpp>

namespace guichet::housing {

using connectors::MailBody;
using connectors::object_field;
using connectors::text_field;
using sdk::Json;

namespace {

constexpr const char* kForm = "demande-siao.json";
constexpr const char* kPrintableForm = "demande-siao.pdf";
constexpr const char* kTonight = "mise_a_l_abri_ce_soir";
constexpr const char* kVictim = "victime_violences_conjugales";

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
              {"urgence", tonight(dispatch) ? kTonight : "sans_urgence_immediate"},
              {"public", kVictim},
              {"demandeur", demandeur},
              {"composition", {{"adultes", 1}, {"enfants", children}}},
              {"contact", connectors::contact_form(contact)}};
}

// The same form laid out to be printed. It reads the form and nothing else, so the PDF can hold no
// fact the JSON does not.
std::string siao_pdf(const Json& form, const connectors::Contact& contact) {
  const Json& applicant = object_field(form, "demandeur");
  const Json& household = object_field(form, "composition");
  const Json& reach = object_field(form, "contact");
  bool urgent = text_field(form, "urgence") == kTonight;
  connectors::PdfForm pdf("Demande d'hébergement — SIAO");
  pdf.paragraph("Pack nouveau départ : demande d'hébergement transmise par un référent du département " +
                text_field(form, "departementPrescripteur").value_or("") + ".");
  if (urgent) pdf.paragraph("MISE À L'ABRI CE SOIR : la personne doit être hébergée dès ce soir.");
  pdf.heading("Demande").item("Urgence", std::string(urgent ? "mise à l'abri ce soir" : "sans urgence immédiate"));
  if (text_field(form, "public") == kVictim) pdf.item("Public", std::string("victime de violences conjugales"));
  pdf.heading("Demandeur")
      .item("Nom de naissance", text_field(applicant, "nomNaissance"))
      .item("Nom d'usage", text_field(applicant, "nomUsage"))
      .item("Prénoms", connectors::join(connectors::text_list(applicant, "prenoms"), " "))
      .item("Sexe", text_field(applicant, "sexeEtatCivil"));
  if (auto born = text_field(applicant, "dateNaissance")) {
    pdf.item("Date de naissance", connectors::format_french_date(*born));
  }
  auto languages = connectors::text_list(applicant, "langues");
  if (!languages.empty()) pdf.item("Langues parlées", connectors::join(languages, ", "));
  const Json children = household.value("enfants", Json::array());
  pdf.heading("Composition du foyer")
      .item("Adultes", std::to_string(household.value("adultes", 1)))
      .item("Enfants", std::to_string(children.size()));
  for (const Json& child : children) {
    std::string line = text_field(child, "prenom").value_or("prénom non communiqué");
    if (auto born = text_field(child, "dateNaissance")) line += ", né(e) le " + connectors::format_french_date(*born);
    pdf.item("Enfant", line);
  }
  pdf.heading("Contact").item("Canal sûr", std::string(connectors::channel_label(contact.channel)));
  pdf.item("Téléphone", text_field(reach, "telephone")).item("Courriel", text_field(reach, "courriel"));
  const Json& address = object_field(reach, "adresse");
  if (auto line = text_field(address, "ligne")) {
    pdf.item("Adresse postale", *line + ", " + text_field(address, "codePostal").value_or("") + " " +
                                    text_field(address, "commune").value_or(""));
  }
  if (contact.channel == connectors::Channel::referent_only) {
    pdf.item("Merci de ne contacter la personne par aucun autre moyen : répondez au courriel de la demande.");
  } else {
    pdf.item("Merci de n'utiliser aucun autre moyen de contact, pour sa sécurité.");
  }
  pdf.heading("Références")
      .item("Demande", text_field(form, "referenceDemande"))
      .item("Dossier", text_field(form, "correlation"))
      .item("Département prescripteur", text_field(form, "departementPrescripteur"));
  return pdf.pdf();
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
  text.children(children).contact(contact).closing(dispatch, kPrintableForm, kForm);
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
    Json form = siao_form(dispatch, contact);
    return connectors::make_mail(dispatch, to(), title, body(dispatch, contact), {kForm, form},
                                 {{kPrintableForm, "application/pdf", siao_pdf(form, contact)}});
  }
};

}  // namespace guichet::housing

GUICHET_CONNECTOR(guichet::housing::Housing, "housing", "1.0.0")
