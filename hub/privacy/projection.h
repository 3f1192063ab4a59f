// Minimisation: an agency receives only the fields its connector declared, and never the
// victim's real address when it is confidential. This runs in the hub, before the connector sees
// anything, so a connector cannot leak what it was never given.
#ifndef GUICHET_HUB_PRIVACY_PROJECTION_H
#define GUICHET_HUB_PRIVACY_PROJECTION_H

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace guichet::privacy {

using Json = nlohmann::json;

struct FieldPolicy {
  std::set<std::string> person_fields;
  std::set<std::string> situation_fields;
  // The agency keeps one file per household (the CAF): when the abuser is in that household,
  // nothing that locates or reaches the victim may go there.
  bool shared_with_household = false;
};

struct Projection {
  Json person = Json::object();
  Json situation = Json::object();
  std::vector<std::string> disclosed;  // "person.birth_name", ... : what actually left the hub
};

Projection project(const Json& person, const Json& situation, const FieldPolicy& policy);

}  // namespace guichet::privacy

#endif
