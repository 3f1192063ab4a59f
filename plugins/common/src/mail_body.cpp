#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/mail_body.hpp>

namespace guichet::connectors {

void MailBody::blank_line() {
  if (!text_.empty()) text_ += "\n";
}

MailBody& MailBody::paragraph(std::string_view text) {
  blank_line();
  text_ += text;
  text_ += "\n";
  return *this;
}

MailBody& MailBody::heading(std::string_view title) {
  blank_line();
  text_ += title;
  text_ += "\n";
  return *this;
}

MailBody& MailBody::item(std::string_view label, const std::optional<std::string>& value) {
  if (!value) return *this;
  text_ += "- ";
  text_ += label;
  text_ += " : ";
  text_ += *value;
  text_ += "\n";
  return *this;
}

MailBody& MailBody::item(std::string_view text) {
  text_ += "- ";
  text_ += text;
  text_ += "\n";
  return *this;
}

MailBody& MailBody::children(const sdk::Json& children) {
  if (!children.is_array()) return *this;
  for (const auto& child : children) {
    std::string line = text_field(child, "given_name").value_or("Enfant");
    if (auto born = text_field(child, "birth_date")) line += ", né(e) le " + format_french_date(*born);
    item(line);
  }
  return *this;
}

MailBody& MailBody::contact(const Contact& contact) {
  heading("Contact");
  item("Canal sûr", std::string(channel_label(contact.channel)));
  item("Téléphone", contact.phone);
  item("Courriel", contact.email);
  if (contact.postal_address) {
    const PostalAddress& address = *contact.postal_address;
    item("Adresse postale", address.line + ", " + address.postcode + " " + address.city);
  }
  if (contact.channel == Channel::referent_only) {
    item("Merci de ne contacter la personne par aucun autre moyen : répondez à ce message.");
  } else {
    item("Merci de n'utiliser aucun autre moyen de contact, pour sa sécurité.");
  }
  return *this;
}

MailBody& MailBody::closing(const sdk::Json& dispatch, std::string_view attachment) {
  paragraph("Le formulaire structuré est joint (" + std::string(attachment) + ").");
  answer_and_references(dispatch);
  return *this;
}

MailBody& MailBody::closing(const sdk::Json& dispatch, std::string_view printable, std::string_view structured) {
  paragraph("Le formulaire est joint en PDF à imprimer (" + std::string(printable) + ") et en JSON pour vos outils (" +
            std::string(structured) + ").");
  answer_and_references(dispatch);
  return *this;
}

void MailBody::answer_and_references(const sdk::Json& dispatch) {
  paragraph("Pour répondre, utilisez « Répondre » en gardant la référence entre crochets dans "
            "l'objet : votre réponse sera rattachée à cette demande.");
  heading("Références");
  item("Demande", text_field(dispatch, "request_id"));
  item("Dossier", text_field(dispatch, "correlation"));
  paragraph("Message envoyé par Guichet, plateforme du Pack nouveau départ.");
}

std::string MailBody::text() const { return text_; }

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

}  // namespace guichet::connectors
