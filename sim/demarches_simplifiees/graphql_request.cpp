#include "demarches_simplifiees/graphql_request.hpp"

#include <algorithm>
#include <regex>

namespace guichet::sim::demarches_simplifiees {
namespace {

// The argument's value: a literal, or the variable it names; null when absent.
nlohmann::json argument(const std::string& query, const nlohmann::json& variables, const std::string& name) {
  const std::regex pattern(name + R"(\s*:\s*(\$[A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\]|\\.)*"|-?[0-9]+|null))");
  std::smatch found;
  if (!std::regex_search(query, found, pattern)) return nullptr;
  const std::string value = found[1].str();
  if (value[0] == '$') {
    const std::string variable = value.substr(1);
    return variables.is_object() && variables.contains(variable) ? variables[variable] : nlohmann::json();
  }
  if (value == "null") return nullptr;
  return nlohmann::json::parse(value, nullptr, false);
}

std::optional<std::string> text(const nlohmann::json& value) {
  if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
  return std::nullopt;
}

}  // namespace

std::optional<DossiersQuery> parse_dossiers_query(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("query") || !body["query"].is_string()) return std::nullopt;
  const std::string query = body["query"].get<std::string>();
  const nlohmann::json variables = body.value("variables", nlohmann::json::object());
  if (query.find("demarche") == std::string::npos || query.find("dossiers") == std::string::npos) return std::nullopt;

  DossiersQuery parsed;
  nlohmann::json number = argument(query, variables, "number");
  if (number.is_string()) number = nlohmann::json::parse(number.get<std::string>(), nullptr, false);
  if (!number.is_number_integer()) return std::nullopt;
  parsed.demarche = number.get<int>();
  parsed.updated_since = text(argument(query, variables, "updatedSince"));
  parsed.after = text(argument(query, variables, "after"));
  nlohmann::json first = argument(query, variables, "first");
  if (first.is_number_integer()) parsed.first = std::clamp(first.get<int>(), 1, 100);
  return parsed;
}

}  // namespace guichet::sim::demarches_simplifiees
