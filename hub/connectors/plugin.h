// One connector library, loaded with Boost.DLL and checked against its manifest.
//
// Lifetime: a Plugin owns the mapping of its .so. Every Instance made from it holds a shared_ptr to
// it, so the plugin's destroy() always runs before the library can go; and the library is opened
// with RTLD_NODELETE, so even the last release never unmaps code while the process runs (a thread
// or a thread_local destructor of the plugin could still need it).
#ifndef GUICHET_HUB_CONNECTORS_PLUGIN_H
#define GUICHET_HUB_CONNECTORS_PLUGIN_H

#include "hub/connectors/manifest.h"

#include <guichet/sdk/abi.h>

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace guichet::connectors {

// A plugin the hub will not use; what() says why (for PluginReport::reason).
struct PluginRejected : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Plugin {
 public:
  // Reads `<stem>.json` beside `library` and checks it before any code is loaded: it must be a
  // valid manifest whose id is the file's stem, or whose "<id>@<version>" is (two versions of one
  // plugin side by side), and whose abi is GUICHET_ABI_MAJOR. Then loads the
  // library (rtld_now | rtld_local), calls its entry and checks the table it returns: non-NULL,
  // large enough, same ABI major, same id and version, and a function for every capability the
  // manifest declares. Throws PluginRejected with the reason.
  static std::shared_ptr<const Plugin> load(const std::filesystem::path& library);
  // The same checks of the manifest and of the file's ELF headers, without loading it: no code of
  // the file runs in this process. For a plugin whose instances all run in a connector host, which
  // loads it there. Throws PluginRejected with the reason.
  static std::shared_ptr<const Plugin> inspect(const std::filesystem::path& library);

  const Manifest& manifest() const { return manifest_; }
  // Throws std::logic_error for an inspected plugin: its code is not in this process.
  const guichet_connector_v1& table() const;
  // The file it was loaded from (empty when built from parts), which an isolated host loads too.
  const std::filesystem::path& file() const { return file_; }

  // The table's function for a capability name, or nullptr when the manifest does not declare it
  // or the plugin was only inspected.
  using Operation = int (*)(void*, const char*, size_t, guichet_buffer*);
  Operation operation(std::string_view capability) const;

  Plugin(Manifest manifest, boost::dll::shared_library library, const guichet_connector_v1* table,
         std::filesystem::path file = {});

 private:
  Manifest manifest_;
  std::filesystem::path file_;
  boost::dll::shared_library library_;  // keeps the code of table_ mapped; empty when inspected
  const guichet_connector_v1* table_;    // null when inspected
};

// Reads and parses a manifest file. Throws ConfigError naming `path` (unreadable, not JSON, invalid).
Manifest read_manifest(const std::filesystem::path& path);

// The SHA-256 of a file's bytes, as 64 lower-case hex digits: what a department file pins in
// "plugin_sha256". Reading is not loading: no code of the file runs. Throws std::runtime_error
// when the file cannot be read.
std::string file_sha256(const std::filesystem::path& path);

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_PLUGIN_H
