// The secrets plugins may ask for by name, read once from a JSON file {"name":"value",...}.
#ifndef GUICHET_HUB_CONNECTORS_SECRETS_H
#define GUICHET_HUB_CONNECTORS_SECRETS_H

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace guichet::connectors {

class Secrets {
 public:
  Secrets() = default;

  // A missing file (or an empty path) means no secrets. Throws ConfigError for a file that is not
  // a JSON object of strings; the error names the member, never its value.
  static Secrets load(const std::filesystem::path& file);

  // Immutable after load, so lookups need no lock.
  std::optional<std::string> find(const std::string& name) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_SECRETS_H
