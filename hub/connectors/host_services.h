// The guichet_host_v1 table one connector instance calls: HTTP, mail, log, clock and secrets.
//
// Each instance gets its own HostServices; the table's ctx points to it, which is how a call is
// tied to its instance (its name for logs, its declared origins for HTTP). No exception ever
// crosses back into the plugin: every failure becomes a status and {"message","transient"}.
#ifndef GUICHET_HUB_CONNECTORS_HOST_SERVICES_H
#define GUICHET_HUB_CONNECTORS_HOST_SERVICES_H

#include "hub/connectors/connector_process.h"
#include "hub/connectors/http_client.h"
#include "hub/connectors/mail_sender.h"
#include "hub/connectors/secrets.h"

#include <guichet/sdk/abi.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace Poco {
class Logger;
}

namespace guichet::connectors {

using Json = nlohmann::json;

using AgencyHttpObserver = std::function<void(const std::string& instance, const std::string& method, int status,
                                              double milliseconds)>;

// What the host services of all instances share. Held by shared_ptr: an Instance may outlive
// the Registry that made it.
struct HostDependencies {
  std::shared_ptr<HttpClient> http;
  std::shared_ptr<MailSender> mail;
  std::shared_ptr<const Secrets> secrets;
  std::function<int64_t()> now_ms;
  // Where untrusted plugins run (see Instance); null: inside the hub.
  std::shared_ptr<const IsolationOptions> isolation;
  // Called with (instance, reason) when an isolated instance is quarantined after repeated crashes.
  std::function<void(const std::string&, const std::string&)> quarantine;
  // Called after every exchange with an agency: instance, method, HTTP status (0: no answer) and
  // milliseconds. For metrics; must not block.
  AgencyHttpObserver on_agency_http;
};

class HostServices {
 public:
  // `settings` are the instance's: every string under a key ending in "_url" (at any depth) declares
  // an origin the instance may call.
  HostServices(std::string instance, const Json& settings, HostDependencies dependencies);
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  const guichet_host_v1* table() const { return &table_; }
  const std::set<std::string>& origins() const { return origins_; }

  static constexpr std::size_t kMaxLogLine = 1024;

 private:
  static int http_entry(void* ctx, const char* request, size_t size, guichet_buffer* out);
  static int mail_entry(void* ctx, const char* message, size_t size, guichet_buffer* out);
  static void log_entry(void* ctx, int level, const char* text, size_t size);
  static int64_t now_entry(void* ctx);
  static int secret_entry(void* ctx, const char* name, size_t size, guichet_buffer* out);
  static void free_entry(void* ctx, guichet_buffer* buffer);

  int http(std::string_view request, guichet_buffer* out) const;
  int mail(std::string_view message, guichet_buffer* out) const;

  std::string instance_;
  std::set<std::string> origins_;
  HostDependencies dependencies_;
  Poco::Logger& logger_;
  guichet_host_v1 table_{};
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_HOST_SERVICES_H
