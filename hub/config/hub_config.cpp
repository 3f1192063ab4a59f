#include "hub/config/hub_config.h"

#include "hub/connectors/secrets.h"

#include <Poco/RandomStream.h>

#include <fstream>
#include <iomanip>
#include <sstream>

namespace guichet::config {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

[[noreturn]] void fail(const fs::path& file, const std::string& field, const std::string& message) {
  throw ConfigError(file.string() + ": " + field + ": " + message);
}

const Json& section(const Json& root, const char* key, const fs::path& file) {
  static const Json kEmpty = Json::object();
  auto it = root.find(key);
  if (it == root.end()) return kEmpty;
  if (!it->is_object()) fail(file, key, "must be an object");
  return *it;
}

std::string text(const Json& object, const char* key, const std::string& fallback, const fs::path& file,
                 const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_string() || it->get<std::string>().empty()) fail(file, where + key, "must be a non-empty string");
  return it->get<std::string>();
}

int integer(const Json& object, const char* key, int fallback, int low, int high, const fs::path& file,
            const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_number_integer() || it->get<int>() < low || it->get<int>() > high) {
    fail(file, where + key, "must be a whole number from " + std::to_string(low) + " to " + std::to_string(high));
  }
  return it->get<int>();
}

fs::path resolve(const fs::path& base, const std::string& path) {
  fs::path p(path);
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

}  // namespace

HubConfig load_hub_config(const fs::path& file, const Overrides& overrides) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file.string() + ": cannot be read");
  Json root = Json::parse(in, nullptr, false);
  if (root.is_discarded() || !root.is_object()) fail(file, "(document)", "must be a JSON object");
  static const std::set<std::string> kKnown = {"listen", "data_dir", "plugin_dir", "departments_dir", "web_dir",
                                               "store", "jwt_secret_file", "secrets_file", "mail", "dispatch", "http",
                                               "oidc", "retention", "log"};
  for (const auto& [key, value] : root.items()) {
    if (!kKnown.count(key)) fail(file, key, "unknown setting");
  }
  fs::path base = fs::absolute(file).parent_path();
  HubConfig c;
  c.file = file;
  c.data_dir = overrides.data_dir.empty() ? resolve(base, text(root, "data_dir", "../var", file, ""))
                                          : fs::absolute(overrides.data_dir).lexically_normal();
  c.plugin_dir = resolve(base, text(root, "plugin_dir", "../build/plugins", file, ""));
  c.departments_dir = resolve(base, text(root, "departments_dir", "departments", file, ""));
  c.web_dir = resolve(base, text(root, "web_dir", "../hub/web", file, ""));
  c.jwt_secret_file = resolve(c.data_dir, text(root, "jwt_secret_file", "jwt.secret", file, ""));
  c.secrets_file = resolve(c.data_dir, text(root, "secrets_file", "secrets.json", file, ""));

  const Json& store = section(root, "store", file);
  c.store.kind = text(store, "kind", "sqlite", file, "store.");
  if (c.store.kind == "sqlite") {
    c.store.file = resolve(c.data_dir, text(store, "file", "guichet.db", file, "store."));
  } else if (c.store.kind == "postgresql") {
    if (!store.contains("connection")) fail(file, "store.connection", "is required for a postgresql store");
    c.store.connection = text(store, "connection", "", file, "store.");
    if (store.contains("password_secret")) {
      std::string name = text(store, "password_secret", "", file, "store.");
      auto password = connectors::Secrets::load(c.secrets_file).find(name);
      if (!password) fail(file, "store.password_secret", "no secret named " + name + " in " + c.secrets_file.string());
      c.store.password = *password;
    }
  } else {
    fail(file, "store.kind", "must be sqlite or postgresql");
  }

  const Json& listen = section(root, "listen", file);
  c.http.host = text(listen, "host", "127.0.0.1", file, "listen.");
  c.http.port = overrides.port >= 0 ? overrides.port : integer(listen, "port", 8080, 0, 65535, file, "listen.");
  const Json& http = section(root, "http", file);
  c.http.threads = integer(http, "threads", 16, 2, 256, file, "http.");
  c.http.max_body_bytes = static_cast<size_t>(integer(http, "max_body_kib", 1024, 1, 65536, file, "http.")) * 1024;
  c.http.request_deadline_s = integer(http, "request_deadline_s", c.http.request_deadline_s, 1, 3600, file, "http.");
  c.rate_limit.per_minute = integer(http, "rate_per_minute", c.rate_limit.per_minute, 0, 1000000, file, "http.");
  c.rate_limit.burst = integer(http, "burst", c.rate_limit.burst, 1, 1000000, file, "http.");

  if (root.contains("oidc")) {
    const Json& oidc = section(root, "oidc", file);
    static const std::set<std::string> kOidcKnown = {"issuer", "audience", "jwks_file", "department_claim",
                                                     "referent_claim"};
    for (const auto& [key, value] : oidc.items()) {
      if (!kOidcKnown.count(key)) fail(file, "oidc." + key, "unknown setting");
    }
    for (const char* required : {"issuer", "audience", "jwks_file"}) {
      if (!oidc.contains(required)) fail(file, std::string("oidc.") + required, "is required");
    }
    http::OidcSettings o;
    o.issuer = text(oidc, "issuer", "", file, "oidc.");
    o.audience = text(oidc, "audience", "", file, "oidc.");
    o.jwks_file = resolve(base, text(oidc, "jwks_file", "", file, "oidc."));
    o.department_claim = text(oidc, "department_claim", o.department_claim, file, "oidc.");
    o.referent_claim = text(oidc, "referent_claim", o.referent_claim, file, "oidc.");
    c.oidc = o;
  }

  const Json& mail = section(root, "mail", file);
  c.mail.smtp_host = text(mail, "smtp_host", c.mail.smtp_host, file, "mail.");
  c.mail.smtp_port = integer(mail, "smtp_port", c.mail.smtp_port, 1, 65535, file, "mail.");
  c.mail.from = text(mail, "from", c.mail.from, file, "mail.");
  c.mail.mailbox = text(mail, "mailbox", c.mail.mailbox, file, "mail.");
  if (auto it = mail.find("starttls"); it != mail.end()) {
    if (!it->is_boolean()) fail(file, "mail.starttls", "must be true or false");
    c.mail.starttls = it->get<bool>();
  }
  if (mail.contains("username")) c.mail.username = text(mail, "username", "", file, "mail.");
  if (mail.contains("password_secret")) c.mail.password_secret = text(mail, "password_secret", "", file, "mail.");
  if (mail.contains("pop3")) {
    const Json& pop3 = mail["pop3"];
    if (!pop3.is_object()) fail(file, "mail.pop3", "must be an object");
    inbound::MailboxSettings m;
    m.host = text(pop3, "host", m.host, file, "mail.pop3.");
    m.port = integer(pop3, "port", m.port, 1, 65535, file, "mail.pop3.");
    if (auto it = pop3.find("tls"); it != pop3.end()) {
      if (!it->is_boolean()) fail(file, "mail.pop3.tls", "must be true or false");
      m.tls = it->get<bool>();
    }
    m.username = text(pop3, "username", c.mail.mailbox, file, "mail.pop3.");
    // The name scripts/pop3server gives the mailbox's password in the secrets file.
    m.password_secret = text(pop3, "password_secret", "pop3." + m.username, file, "mail.pop3.");
    m.interval_ms = integer(pop3, "interval_s", 10, 1, 3600, file, "mail.pop3.") * 1000;
    c.mailbox = m;
  }

  const Json& retention = section(root, "retention", file);
  c.retention_settled_days =
      integer(retention, "settled_days", c.retention_settled_days, 0, 36500, file, "retention.");

  const Json& log = section(root, "log", file);
  c.log_level = text(log, "level", c.log_level, file, "log.");
  if (c.log_level != "error" && c.log_level != "warning" && c.log_level != "notice" &&
      c.log_level != "information" && c.log_level != "debug") {
    fail(file, "log.level", "must be error, warning, notice, information or debug");
  }

  const Json& dispatch = section(root, "dispatch", file);
  c.dispatch.workers = integer(dispatch, "workers", 4, 1, 64, file, "dispatch.");
  c.dispatch.lease_ms = integer(dispatch, "lease_s", 60, 5, 3600, file, "dispatch.") * int64_t{1000};
  c.dispatch.batch = integer(dispatch, "batch", c.dispatch.batch, 1, 256, file, "dispatch.");
  // 0: every delivery goes through a claim, none is handed over by the intake.
  c.dispatch.handover_rows = static_cast<size_t>(
      integer(dispatch, "handover_rows", static_cast<int>(c.dispatch.handover_rows), 0, 1000000, file, "dispatch."));
  try {
    c.dispatch.retry = dispatch::RetryPolicy::from_json(dispatch.value("retry", Json()), dispatch::RetryPolicy{});
  } catch (const std::invalid_argument& e) {
    fail(file, "dispatch." + std::string(e.what()).substr(0, std::string(e.what()).find(':')),
         std::string(e.what()).substr(std::string(e.what()).find(':') + 2));
  }
  return c;
}

std::string load_or_create_jwt_secret(const fs::path& file) {
  if (!fs::exists(file)) {
    fs::create_directories(file.parent_path());
    std::ostringstream hex;
    Poco::RandomInputStream random;
    for (int i = 0; i < 32; ++i) hex << std::hex << std::setw(2) << std::setfill('0') << (random.get() & 0xff);
    std::ofstream out(file);
    out << hex.str() << '\n';
    out.close();
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  }
  std::ifstream in(file);
  std::string secret;
  std::getline(in, secret);
  if (secret.size() < 32) throw ConfigError(file.string() + ": the JWT secret must be at least 32 characters");
  return secret;
}

}  // namespace guichet::config
