// The fields a generic connector's instance declared in its department file, as the hub hands them
// to create() under the reserved settings key "_fields". A generic connector checks every field a
// template or a mapping names against them when created, so that a configuration naming a field
// the instance will never receive fails at start-up, not silently at delivery.
#ifndef GUICHET_CONNECTORS_DECLARED_FIELDS_HPP
#define GUICHET_CONNECTORS_DECLARED_FIELDS_HPP

#include <guichet/sdk/connector.hpp>

#include <set>
#include <string>
#include <string_view>

namespace guichet::connectors {

class DeclaredFields {
 public:
  // Reads settings["_fields"]; throws std::invalid_argument when the hub did not provide it.
  static DeclaredFields from_settings(const sdk::Json& settings);

  // Throws std::invalid_argument naming `what` when `path` is not something view() carries for
  // this instance. Accepted: person.<declared field>[.<member>...], situation.<declared field>...,
  // contact.<member> (see view()), and the dispatch's references, which identify nobody:
  // request_id, case_id, correlation, need.<member>, referent.department.
  void check(std::string_view path, const std::string& what) const;

  // What templates and mappings read: the dispatch with its person and situation reduced to the
  // declared fields (the hub already did it; this makes sure nothing else leaves even if it had
  // not), plus "contact": the victim's safe channel and its detail only (see contact.hpp), as
  // {"channel": "telephone", "channel_label": "téléphone", "phone" | "email" | "address"}.
  // contact.phone needs person.phone declared, contact.email person.email, contact.address
  // person.contact_address, and all of contact needs situation.safe_channel.
  sdk::Json view(const sdk::Json& dispatch) const;

 private:
  sdk::Json reduced(const sdk::Json& dispatch, const char* group) const;

  std::set<std::string> person_, situation_;
};

// The value at a dotted path in a dispatch ("person.address.city", "need.urgency"), or nullptr
// when any step is missing or null.
const sdk::Json* value_at(const sdk::Json& dispatch, std::string_view path);

}  // namespace guichet::connectors

#endif
