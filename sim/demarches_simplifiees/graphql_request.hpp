// Reads the GraphQL requests the simulator answers: a démarche's dossiers page,
//   demarche(number: $demarche) { dossiers(updatedSince: $since, first: 100, after: $after) {...} }
// with each argument given literally or as a variable. This is not a GraphQL parser: it finds the
// arguments of the one query the hub sends, whatever its layout, names or variable names.
#ifndef GUICHET_SIM_DEMARCHES_SIMPLIFIEES_GRAPHQL_REQUEST_HPP
#define GUICHET_SIM_DEMARCHES_SIMPLIFIEES_GRAPHQL_REQUEST_HPP

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace guichet::sim::demarches_simplifiees {

struct DossiersQuery {
  int demarche = 0;
  std::optional<std::string> updated_since;
  std::optional<std::string> after;
  int first = 100;
};

// Nothing when `body` ({"query","variables"}) is not a dossiers query with a démarche number.
std::optional<DossiersQuery> parse_dossiers_query(const nlohmann::json& body);

}  // namespace guichet::sim::demarches_simplifiees

#endif
