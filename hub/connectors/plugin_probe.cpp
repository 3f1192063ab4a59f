#include "hub/connectors/plugin_probe.h"

#include "hub/connectors/errors.h"
#include "hub/connectors/plugin.h"

#include <optional>
#include <string>

namespace guichet::connectors {

void probe_plugin(const std::filesystem::path& host_binary, const std::filesystem::path& library, HostLimits limits,
                  std::chrono::milliseconds deadline) {
  using isolation::LineChannel;
  std::optional<HostProcess> host;
  try {
    host.emplace(host_binary, library, limits);
  } catch (const HostCrashed& e) {
    throw PluginRejected(std::string("cannot be tried in a connector host: ") + e.what());
  }
  LineChannel::ReadResult first = host->channel().read(deadline);
  if (first.status == LineChannel::ReadStatus::message) {
    if (first.message.contains("ready")) return;
    if (first.message.contains("rejected") && first.message["rejected"].is_string()) {
      throw PluginRejected(first.message["rejected"].get<std::string>());
    }
  }
  if (first.status == LineChannel::ReadStatus::timed_out) {
    throw PluginRejected("not loaded within " + std::to_string(deadline.count()) +
                         " ms in a throwaway connector host; not loaded in the hub");
  }
  throw PluginRejected("ended as it was loaded in a throwaway connector host (" + host->stop() +
                       "); not loaded in the hub");
}

}  // namespace guichet::connectors
