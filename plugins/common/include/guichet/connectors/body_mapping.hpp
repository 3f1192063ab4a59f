// The declarative body a generic partner receives (a REST partner's JSON, a Démarches Simplifiées
// prefill), written in the department file as {"target.path": rule}. A rule is
//   "person.birth_name"                          the value at that path of the dispatch, left out when absent
//   {"const": <any JSON>}                        that value, always
//   {"field": "person.phone", "default": null}   the value, or the default when absent
//   {"field": "person.children", "each": {"prenom": "given_name"}}   for an array of objects, each
//                                                item rebuilt from the named members
// Targets are dotted paths that build nested objects ("demandeur.nom"). A target ending in "[]"
// ("enfants[]") receives an array and is allowed only where the source is one.
#ifndef GUICHET_CONNECTORS_BODY_MAPPING_HPP
#define GUICHET_CONNECTORS_BODY_MAPPING_HPP

#include <guichet/connectors/declared_fields.hpp>
#include <guichet/sdk/connector.hpp>

#include <optional>
#include <string>
#include <vector>

namespace guichet::connectors {

class BodyMapping {
 public:
  // Throws std::invalid_argument naming the target of the first rule that is malformed, that names
  // a field the instance does not declare, or whose target collides with another one.
  BodyMapping(const sdk::Json& rules, const DeclaredFields& fields);

  sdk::Json apply(const sdk::Json& dispatch) const;

 private:
  struct Rule {
    std::string target;
    std::vector<std::string> path;  // the target's segments, without "[]"
    std::string source;             // empty for a constant
    std::optional<sdk::Json> constant;
    std::optional<sdk::Json> fallback;
    sdk::Json each;  // {"member": "item member"}, null when items are copied as they are
  };

  static Rule parse(const std::string& target, const sdk::Json& rule, const DeclaredFields& fields);
  static std::optional<sdk::Json> value(const Rule& rule, const sdk::Json& dispatch);

  std::vector<Rule> rules_;
};

}  // namespace guichet::connectors

#endif
