// config/guichet.json: where the hub listens, keeps its data, finds its plugins and departments,
// and how it sends mail. Relative paths are resolved against the folder of the config file, so
// the hub runs the same from any working directory; files of the data directory (store, secrets,
// JWT key) are resolved against the data directory. A PostgreSQL store's password is read from the
// secrets file, under the name given by store.password_secret, so that it never sits in the config.
#ifndef GUICHET_HUB_CONFIG_HUB_CONFIG_H
#define GUICHET_HUB_CONFIG_HUB_CONFIG_H

#include "hub/connectors/registry.h"
#include "hub/dispatch/dispatcher.h"
#include "hub/http/oidc_verifier.h"
#include "hub/http/rate_limiter.h"
#include "hub/http/server.h"
#include "hub/inbound/mailbox.h"
#include "hub/store/open_store.h"

#include <filesystem>
#include <stdexcept>
#include <string>

namespace guichet::config {

// what(): "<file>: <field>: <message>".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HubConfig {
  std::filesystem::path file;
  std::filesystem::path data_dir;
  std::filesystem::path plugin_dir;
  std::filesystem::path departments_dir;
  std::filesystem::path web_dir;
  std::filesystem::path jwt_secret_file;
  std::filesystem::path secrets_file;
  http::ServerOptions http;
  http::RateLimitSettings rate_limit;
  std::optional<http::OidcSettings> oidc;  // absent: only the hub's own HS256 tokens are accepted
  connectors::MailSettings mail;
  std::optional<inbound::MailboxSettings> mailbox;  // mail.pop3; absent: replies by mail are not read
  dispatch::DispatcherOptions dispatch;
  store::StoreConfig store;
  int retention_settled_days = 365;  // retention.settled_days; 0: settled cases are kept
  std::string log_level = "information";  // log.level: error, warning, notice, information or debug
};

struct Overrides {
  std::filesystem::path data_dir;  // empty: keep the file's
  int port = -1;                   // -1: keep the file's
};

HubConfig load_hub_config(const std::filesystem::path& file, const Overrides& overrides = {});

// Reads the HS256 key, creating a random one (mode 600) the first time.
std::string load_or_create_jwt_secret(const std::filesystem::path& file);

}  // namespace guichet::config

#endif
