// The victim's safe channel: the one way an agency may reach her without the abuser noticing.
// Agencies get the contact detail of that channel and no other.
#ifndef GUICHET_CONNECTORS_CONTACT_HPP
#define GUICHET_CONNECTORS_CONTACT_HPP

#include <guichet/sdk/connector.hpp>

#include <optional>
#include <string>

namespace guichet::connectors {

enum class Channel { phone, email, post, referent_only };

struct PostalAddress {
  std::string line;
  std::string postcode;
  std::string city;
};

struct Contact {
  Channel channel = Channel::referent_only;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::optional<PostalAddress> postal_address;
};

// The channel chosen in the situation, when its detail is known; otherwise only the référent,
// which is the safe default: nobody contacts the victim through a channel nobody vouched for.
Contact safe_contact(const sdk::Json& person, const sdk::Json& situation);

// The postal address in a person member ({"line","postcode","city"}), if complete enough to post.
std::optional<PostalAddress> postal_address(const sdk::Json& person, const char* key);

// The contact as agencies' forms write it: {"canal","telephone","courriel","adresse"}, each detail
// only when it is the safe channel's.
sdk::Json contact_form(const Contact& contact);

// The agencies' code for a channel: "telephone", "courriel", "courrier", "referent".
const char* channel_code(Channel channel);
// The channel for a French reader.
const char* channel_label(Channel channel);

}  // namespace guichet::connectors

#endif
