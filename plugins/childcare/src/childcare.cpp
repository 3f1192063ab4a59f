// Childcare connector: a request for a place in a crèche (EAJE, AVIP places for parents looking for
// work), mailed to the commune's childcare service, for the children the référent selected only.
#include <guichet/connectors/contact.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/forms.hpp>
#include <guichet/connectors/mail.hpp>
#include <guichet/connectors/mail_body.hpp>
#include <guichet/connectors/mail_connector.hpp>

namespace guichet::childcare {

using connectors::MailBody;
using connectors::object_field;
using connectors::text_field;
using sdk::Json;

namespace {

constexpr const char* kAttachment = "demande-accueil-enfant.json";

// The children listed in need.children (indices into person.children), and no other.
Json selected_children(const Json& dispatch) {
  Json all = object_field(dispatch, "person").value("children", Json::array());
  Json indices = object_field(dispatch, "need").value("children", Json::array());
  Json selected = Json::array();
  if (!all.is_array() || !indices.is_array()) return selected;
  for (const auto& index : indices) {
    if (index.is_number_unsigned() && index.get<std::size_t>() < all.size()) {
      selected.push_back(all[index.get<std::size_t>()]);
    }
  }
  return selected;
}

Json parent_form(const Json& person) {
  Json parent{{"prenoms", connectors::text_list(person, "given_names")}};
  connectors::set_if(parent, "nomNaissance", text_field(person, "birth_name"));
  connectors::set_if(parent, "nomUsage", text_field(person, "usage_name"));
  connectors::set_if(parent, "numeroAllocataire", text_field(person, "caf_number"));
  return parent;
}

Json form(const Json& dispatch, const Json& children, const connectors::Contact& contact) {
  return Json{{"formulaire", "demande-accueil-jeune-enfant"},
              {"version", 1},
              {"referenceDemande", dispatch.at("request_id")},
              {"correlation", text_field(dispatch, "correlation").value_or("")},
              {"departementPrescripteur", text_field(object_field(dispatch, "referent"), "department").value_or("")},
              {"parent", parent_form(object_field(dispatch, "person"))},
              {"enfants", connectors::children_form(children)},
              {"contact", connectors::contact_form(contact)}};
}

std::string body(const Json& dispatch, const Json& children, const connectors::Contact& contact) {
  const Json& person = object_field(dispatch, "person");
  std::string department = text_field(object_field(dispatch, "referent"), "department").value_or("");
  return MailBody()
      .paragraph("Bonjour,")
      .paragraph("Dans le cadre du Pack nouveau départ, un référent du département " + department +
                 " sollicite une place d'accueil pour le ou les enfants ci-dessous, afin que leur "
                 "parent puisse engager ses démarches d'insertion.")
      .heading("Parent")
      .item("Nom de naissance", text_field(person, "birth_name"))
      .item("Nom d'usage", text_field(person, "usage_name"))
      .item("Prénoms", connectors::join(connectors::text_list(person, "given_names"), " "))
      .item("N° allocataire CAF", text_field(person, "caf_number"))
      .heading("Enfant(s) à accueillir")
      .children(children)
      .contact(contact)
      .closing(dispatch, kAttachment)
      .text();
}

}  // namespace

class Childcare : public connectors::MailConnector {
 public:
  Childcare(sdk::Host host, Json settings)
      : MailConnector(host, std::move(settings), "childcare service") {}

 protected:
  std::optional<std::string> problem(const Json& dispatch) const override {
    if (!selected_children(dispatch).empty()) return std::nullopt;
    return "Aucun enfant sélectionné : indiquez le ou les enfants pour lesquels une place d'accueil "
           "est demandée, puis relancez la demande.";
  }

  Json mail(const Json& dispatch) const override {
    Json children = selected_children(dispatch);
    connectors::Contact contact = connectors::safe_contact(object_field(dispatch, "person"),
                                                           object_field(dispatch, "situation"));
    return connectors::make_mail(dispatch, to(), "Demande de place d'accueil du jeune enfant — Pack nouveau départ",
                                 body(dispatch, children, contact),
                                 {kAttachment, form(dispatch, children, contact)});
  }
};

}  // namespace guichet::childcare

GUICHET_CONNECTOR(guichet::childcare::Childcare, "childcare", "1.0.0")
