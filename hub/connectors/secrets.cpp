#include "hub/connectors/secrets.h"

#include "hub/connectors/errors.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace guichet::connectors {

Secrets Secrets::load(const std::filesystem::path& file) {
  Secrets secrets;
  if (file.empty() || !std::filesystem::exists(file)) return secrets;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string(), "", "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  // Not even the parser's message: it may quote the text around the error, i.e. a secret.
  if (json.is_discarded()) throw ConfigError(file.string(), "", "is not valid JSON");
  if (!json.is_object()) throw ConfigError(file.string(), "", "must be a JSON object of strings");
  for (const auto& [name, value] : json.items()) {
    if (!value.is_string()) throw ConfigError(file.string(), name, "must be a string");
    secrets.values_[name] = value.get<std::string>();
  }
  return secrets;
}

std::optional<std::string> Secrets::find(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace guichet::connectors
