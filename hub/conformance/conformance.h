// The connector conformance suite: what a plugin must do before the hub trusts it, checked on the
// built .so alone, in-process, without any network (every agency is played by AgencyHost).
//
//   guichet-conformance build/plugins/my_agency.so          (the GoogleTest runner, suite_main.cpp)
//   guichet connectors --check                              (the hub, through check_plugin)
//
// Each check is a function of the plugin returning what is wrong with it, one line per failure,
// naming fields, statuses and capabilities, never a value of the sample case.
// Thread-safety: checks share nothing; each builds its own hosts and instances.
#ifndef GUICHET_HUB_CONFORMANCE_CONFORMANCE_H
#define GUICHET_HUB_CONFORMANCE_CONFORMANCE_H

#include "hub/connectors/plugin.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace guichet::conformance {

using Json = nlohmann::json;

// A plugin under test, loaded by the hub's own loader (connectors::Plugin::load).
struct Subject {
  std::filesystem::path file;
  std::shared_ptr<const connectors::Plugin> plugin;
  // When set, every check runs the plugin in this guichet-connector-host, as the hub runs an
  // untrusted instance, instead of in this process.
  std::filesystem::path host_binary;

  // Throws connectors::PluginRejected, with the loader's reason, when the hub would not load it.
  static Subject open(const std::filesystem::path& library);

  const connectors::Manifest& manifest() const { return plugin->manifest(); }
  // The settings an instance gets from the manifest's example_settings (with "_fields" for a
  // plugin whose fields come from its instance, as the hub adds them).
  Json settings() const;
};

struct Check {
  const char* name;     // e.g. "http_statuses"
  const char* summary;  // one line, for reports
  bool (*applies)(const connectors::Manifest& manifest);
  std::vector<std::string> (*run)(const Subject& subject);  // failures; empty when it holds
};

// Every check, in report order.
const std::vector<Check>& checks();

// Runs every check that applies to the plugin file and writes one line per check (ok, FAIL with
// its failures, or skip) to `report`. True when the plugin loads and passes them all.
bool check_plugin(const std::filesystem::path& library, std::ostream& report);

}  // namespace guichet::conformance

#endif  // GUICHET_HUB_CONFORMANCE_CONFORMANCE_H
