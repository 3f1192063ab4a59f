#include "graphql.hpp"

#include <guichet/connectors/fields.hpp>

#include <map>
#include <stdexcept>

namespace guichet::demarches_simplifiees {

using connectors::text_field;
using sdk::Json;

namespace {

constexpr const char* kQuery =
    "query suiviDossiers($demarche: Int!, $since: ISO8601DateTime, $after: String) {\n"
    "  demarche(number: $demarche) {\n"
    "    dossiers(updatedSince: $since, first: 100, after: $after) {\n"
    "      nodes { number state motivation dateDerniereModification }\n"
    "      pageInfo { endCursor hasNextPage }\n"
    "    }\n"
    "  }\n"
    "}\n";

Json optional_text(const std::optional<std::string>& value) { return value ? Json(*value) : Json(nullptr); }

std::string number_text(const Json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_string()) return value.get<std::string>();
  return {};
}

}  // namespace

Json dossiers_query(int demarche, const std::optional<std::string>& updated_since,
                    const std::optional<std::string>& after) {
  return Json{{"query", kQuery},
              {"operationName", "suiviDossiers"},
              {"variables", {{"demarche", demarche}, {"since", optional_text(updated_since)}, {"after", optional_text(after)}}}};
}

DossiersPage read_page(const Json& answer) {
  if (!answer.is_object()) throw std::runtime_error("Démarches Simplifiées answered without JSON");
  if (auto errors = answer.find("errors"); errors != answer.end() && errors->is_array() && !errors->empty()) {
    std::string codes;
    for (const Json& error : *errors) {
      std::string code = text_field(connectors::object_field(error, "extensions"), "code").value_or("unknown");
      codes += (codes.empty() ? "" : ",") + code;
    }
    throw std::runtime_error("Démarches Simplifiées GraphQL error: " + codes);
  }
  const Json& dossiers = connectors::object_field(
      connectors::object_field(connectors::object_field(answer, "data"), "demarche"), "dossiers");
  if (!dossiers.contains("nodes") || !dossiers["nodes"].is_array()) {
    throw std::runtime_error("Démarches Simplifiées answered without a dossiers page");
  }
  DossiersPage page;
  for (const Json& node : dossiers["nodes"]) {
    Dossier dossier{number_text(node.value("number", Json())), text_field(node, "state").value_or(""),
                    text_field(node, "motivation"), text_field(node, "dateDerniereModification").value_or("")};
    if (!dossier.number.empty()) page.dossiers.push_back(std::move(dossier));
  }
  const Json& info = connectors::object_field(dossiers, "pageInfo");
  page.end_cursor = text_field(info, "endCursor");
  page.has_next_page = connectors::flag_field(info, "hasNextPage");
  return page;
}

std::optional<std::string> hub_state(const std::string& ds_state) {
  static const std::map<std::string, std::string> states = {{"en_construction", "acknowledged"},
                                                           {"en_instruction", "in_review"},
                                                           {"accepte", "accepted"},
                                                           {"refuse", "refused"},
                                                           {"sans_suite", "closed"}};
  auto it = states.find(ds_state);
  if (it == states.end()) return std::nullopt;
  return it->second;
}

}  // namespace guichet::demarches_simplifiees
