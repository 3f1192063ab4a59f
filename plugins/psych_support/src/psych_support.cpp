// Psychological support connector: an orientation mailed to a victim-support association (France
// Victimes, CIDFF). It says who to call and how, and why only in general terms: no proof, no
// account of the violence, no health information ever goes to the association by this channel.
#include <guichet/connectors/contact.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/mail.hpp>
#include <guichet/connectors/mail_body.hpp>
#include <guichet/connectors/mail_connector.hpp>

namespace guichet::psych_support {

using connectors::MailBody;
using connectors::object_field;
using connectors::text_field;
using sdk::Json;

namespace {

constexpr const char* kAttachment = "orientation-soutien.json";
constexpr const char* kReason = "orientation Pack nouveau départ";

// The name she is called by: her usage name when she has one.
std::string name(const Json& person) {
  return text_field(person, "usage_name").value_or(text_field(person, "birth_name").value_or(""));
}

Json form(const Json& dispatch, const connectors::Contact& contact) {
  const Json& person = object_field(dispatch, "person");
  return Json{{"formulaire", "orientation-soutien"},
              {"version", 1},
              {"referenceDemande", dispatch.at("request_id")},
              {"correlation", text_field(dispatch, "correlation").value_or("")},
              {"departementPrescripteur", text_field(object_field(dispatch, "referent"), "department").value_or("")},
              {"motif", kReason},
              {"personne",
               {{"prenoms", connectors::text_list(person, "given_names")},
                {"nom", name(person)},
                {"langues", connectors::text_list(person, "languages")}}},
              {"contact", connectors::contact_form(contact)}};
}

std::string body(const Json& dispatch, const connectors::Contact& contact) {
  const Json& person = object_field(dispatch, "person");
  std::string department = text_field(object_field(dispatch, "referent"), "department").value_or("");
  auto languages = connectors::text_list(person, "languages");
  MailBody text;
  text.paragraph("Bonjour,")
      .paragraph("Un référent du département " + department +
                 " oriente vers votre association une personne qui souhaite être contactée pour un "
                 "accompagnement.")
      .item("Motif", std::string(kReason))
      .heading("Personne")
      .item("Prénoms", connectors::join(connectors::text_list(person, "given_names"), " "))
      .item("Nom", name(person));
  if (!languages.empty()) text.item("Langues parlées", connectors::join(languages, ", "));
  return text.contact(contact).closing(dispatch, kAttachment).text();
}

}  // namespace

class PsychSupport : public connectors::MailConnector {
 public:
  PsychSupport(sdk::Host host, Json settings)
      : MailConnector(host, std::move(settings), "victim-support association") {}

 protected:
  Json mail(const Json& dispatch) const override {
    connectors::Contact contact = connectors::safe_contact(object_field(dispatch, "person"),
                                                           object_field(dispatch, "situation"));
    return connectors::make_mail(dispatch, to(), "Orientation Pack nouveau départ",
                                 body(dispatch, contact), {kAttachment, form(dispatch, contact)});
  }
};

}  // namespace guichet::psych_support

GUICHET_CONNECTOR(guichet::psych_support::PsychSupport, "psych_support", "1.0.0")
