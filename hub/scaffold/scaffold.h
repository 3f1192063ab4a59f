// `guichet new-connector NAME --channel rest|email [--dir DIR] [--need KIND]`: writes a connector
// project a department's IT team builds outside the hub's tree, against the installed SDK
// (find_package(GuichetSdk)): manifest, connector class, golden test, CMakeLists and README. As
// written, it builds, passes its own test and passes the conformance suite; the author then
// replaces the sample mapping with the agency's.
#ifndef GUICHET_HUB_SCAFFOLD_SCAFFOLD_H
#define GUICHET_HUB_SCAFFOLD_SCAFFOLD_H

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace guichet::scaffold {

struct ConnectorSpec {
  std::string id;       // the plugin id: lower-case letters, digits and '_', starting with a letter
  std::string channel;  // "rest" or "email"
  std::string need;     // the need kind it serves, e.g. "psych_support"
};

struct GeneratedFile {
  std::filesystem::path path;  // relative to the project's directory
  std::string text;
};

// The files of a new connector project. Throws std::invalid_argument naming the option that is
// wrong (an id that is not a plain identifier, an unknown channel or need kind).
std::vector<GeneratedFile> generate(const ConnectorSpec& spec);

// The CamelCase class name for an id: "maison_des_femmes" gives "MaisonDesFemmes".
std::string class_name(const std::string& id);

// The command: options "name" (required), "channel" (required), "dir" (default ./<name>) and
// "need" (default psych_support). Refuses a directory that exists and is not empty, so nothing an
// author wrote is ever overwritten. Writes what it did and the next steps to `out`; returns the
// process exit code (0 done, 2 bad options, 1 the files could not be written).
int run_new_connector(const std::map<std::string, std::string>& options, std::ostream& out);

}  // namespace guichet::scaffold

#endif  // GUICHET_HUB_SCAFFOLD_SCAFFOLD_H
