// A plugin file tried in a throwaway guichet-connector-host before the hub accepts it. Loading a
// library runs its code (static initialisers, then the entry function the loader calls): code that
// crashes or hangs there must cost that process, never the hub, whether the plugin will run
// isolated or, trusted, inside the hub.
#ifndef GUICHET_HUB_CONNECTORS_PLUGIN_PROBE_H
#define GUICHET_HUB_CONNECTORS_PLUGIN_PROBE_H

#include "hub/connectors/host_process.h"

#include <chrono>
#include <filesystem>

namespace guichet::connectors {

// Starts `host_binary` on `library`, which loads it with the hub's own checks (Plugin::load) and
// says it is ready, then kills it. Throws PluginRejected with why the plugin cannot be used: the
// host's own reason (manifest, table), how the host ended (killed by SIGSEGV), no word within
// `deadline`, or a host that cannot be started.
void probe_plugin(const std::filesystem::path& host_binary, const std::filesystem::path& library, HostLimits limits,
                  std::chrono::milliseconds deadline);

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_PLUGIN_PROBE_H
