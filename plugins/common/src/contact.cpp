#include <guichet/connectors/contact.hpp>
#include <guichet/connectors/fields.hpp>

namespace guichet::connectors {

std::optional<PostalAddress> postal_address(const sdk::Json& person, const char* key) {
  const sdk::Json& address = object_field(person, key);
  auto line = text_field(address, "line");
  auto postcode = text_field(address, "postcode");
  auto city = text_field(address, "city");
  if (!line || !city) return std::nullopt;
  return PostalAddress{*line, postcode.value_or(""), *city};
}

Contact safe_contact(const sdk::Json& person, const sdk::Json& situation) {
  Contact contact;
  auto chosen = text_field(situation, "safe_channel").value_or("referent_only");
  if (chosen == "phone") {
    contact.phone = text_field(person, "phone");
    if (contact.phone) contact.channel = Channel::phone;
  } else if (chosen == "email") {
    contact.email = text_field(person, "email");
    if (contact.email) contact.channel = Channel::email;
  } else if (chosen == "post") {
    contact.postal_address = postal_address(person, "contact_address");
    if (contact.postal_address) contact.channel = Channel::post;
  }
  return contact;
}

sdk::Json contact_form(const Contact& contact) {
  sdk::Json form{{"canal", channel_code(contact.channel)}};
  if (contact.phone) form["telephone"] = *contact.phone;
  if (contact.email) form["courriel"] = *contact.email;
  if (contact.postal_address) {
    form["adresse"] = {{"ligne", contact.postal_address->line},
                       {"codePostal", contact.postal_address->postcode},
                       {"commune", contact.postal_address->city}};
  }
  return form;
}

const char* channel_code(Channel channel) {
  switch (channel) {
    case Channel::phone: return "telephone";
    case Channel::email: return "courriel";
    case Channel::post: return "courrier";
    case Channel::referent_only: return "referent";
  }
  return "referent";
}

const char* channel_label(Channel channel) {
  switch (channel) {
    case Channel::phone: return "téléphone";
    case Channel::email: return "courriel";
    case Channel::post: return "courrier postal";
    case Channel::referent_only: return "uniquement par l'intermédiaire du référent";
  }
  return "uniquement par l'intermédiaire du référent";
}

}  // namespace guichet::connectors
