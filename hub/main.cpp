// guichet: the hub. Wiring only: config → store → connectors → workers → HTTP server.
//
//   guichet serve [--config FILE] [--data-dir DIR] [--port N]
//   guichet token --referent ID --department CODE [--ttl 8h] [--config FILE] [--data-dir DIR]
//   guichet connectors [--check] [--config FILE] [--data-dir DIR]
//   guichet new-connector NAME --channel rest|email [--dir DIR] [--need KIND]
//   guichet keys rotate [--config FILE] [--data-dir DIR]
//   guichet audit verify [--anchor SEQ:HASH] [--config FILE] [--data-dir DIR]
//   guichet audit show --case ID [--config FILE] [--data-dir DIR]
#include "hub/cases/case_service.h"
#include "hub/cases/deadline.h"
#include "hub/cases/retention.h"
#include "hub/config/hub_config.h"
#include "hub/conformance/conformance.h"
#include "hub/connectors/errors.h"
#include "hub/connectors/registry.h"
#include "hub/dispatch/dispatcher.h"
#include "hub/http/api.h"
#include "hub/http/jwks.h"
#include "hub/http/rate_limiter.h"
#include "hub/http/server.h"
#include "hub/http/token_authority.h"
#include "hub/inbound/mailbox.h"
#include "hub/inbound/poller.h"
#include "hub/inbound/webhooks.h"
#include "hub/metrics/metrics.h"
#include "hub/privacy/key_store.h"
#include "hub/privacy/vault.h"
#include "hub/review/review_queue.h"
#include "hub/scaffold/scaffold.h"
#include "hub/store/audit_chain.h"
#include "hub/store/open_store.h"

#include <Poco/ConsoleChannel.h>
#include <Poco/Crypto/OpenSSLInitializer.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <optional>
#include <set>

namespace {

using namespace guichet;

constexpr const char* kUsage =
    "usage:\n"
    "  guichet serve [--config FILE] [--data-dir DIR] [--port N]\n"
    "  guichet token --referent ID --department CODE [--ttl 8h] [--config FILE] [--data-dir DIR]\n"
    "  guichet connectors [--check] [--config FILE] [--data-dir DIR]\n"
    "  guichet new-connector NAME --channel rest|email [--dir DIR] [--need KIND]\n"
    "  guichet keys rotate [--config FILE] [--data-dir DIR]\n"
    "  guichet audit verify [--anchor SEQ:HASH] [--config FILE] [--data-dir DIR]\n"
    "  guichet audit show --case ID [--config FILE] [--data-dir DIR]\n";

struct Arguments {
  std::string command;
  std::map<std::string, std::string> options;

  std::string get(const std::string& name, const std::string& fallback = {}) const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
};

// Options are "--name value", except the flags below, which take none. A command may take one
// bare word, stored under the name given here (new-connector's NAME, keys' and audit's action).
std::optional<Arguments> parse_arguments(int argc, char** argv) {
  static const std::set<std::string> kFlags = {"check"};
  static const std::map<std::string, std::string> kBareWord = {{"new-connector", "name"}, {"keys", "action"}, {"audit", "action"}};
  if (argc < 2) return std::nullopt;
  Arguments args{argv[1], {}};
  for (int i = 2; i < argc; ++i) {
    std::string word = argv[i];
    if (word.rfind("--", 0) != 0) {
      auto bare = kBareWord.find(args.command);
      if (bare == kBareWord.end() || args.options.count(bare->second)) return std::nullopt;
      args.options[bare->second] = word;
    } else if (kFlags.count(word.substr(2))) {
      args.options[word.substr(2)] = "yes";
    } else if (i + 1 < argc) {
      args.options[word.substr(2)] = argv[++i];
    } else {
      return std::nullopt;
    }
  }
  return args;
}

void configure_logging() {
  auto* formatter = new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t");
  auto* channel = new Poco::FormattingChannel(formatter, new Poco::ConsoleChannel(std::clog));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel("information");
}

config::HubConfig load_config(const Arguments& args) {
  config::Overrides overrides;
  overrides.data_dir = args.get("data-dir");
  if (!args.get("port").empty()) overrides.port = std::stoi(args.get("port"));
  return config::load_hub_config(args.get("config", "config/guichet.json"), overrides);
}

connectors::RegistryOptions registry_options(const config::HubConfig& c) {
  connectors::RegistryOptions options;
  options.plugin_dir = c.plugin_dir;
  options.departments_dir = c.departments_dir;
  options.secrets_file = std::filesystem::exists(c.secrets_file) ? c.secrets_file : std::filesystem::path();
  options.mail = c.mail;
  options.now_ms = system_now_ms;
  // Untrusted plugins run in guichet-connector-host, installed beside this executable.
  options.isolation.host_binary = std::filesystem::canonical("/proc/self/exe").parent_path() / "guichet-connector-host";
  return options;
}

// Every exchange with an agency, counted by instance, method and status class (no path: it may
// hold a person's identifiers).
connectors::AgencyHttpObserver agency_http_metrics(metrics::Registry& metrics) {
  metrics.describe("guichet_agency_http_total", "Exchanges with agencies, by instance, method and status class.", "counter");
  metrics.describe("guichet_agency_http_ms", "Agency exchange latency in milliseconds.", "histogram");
  return [&metrics](const std::string& instance, const std::string& method, int status, double ms) {
    std::string answered = status == 0 ? "none" : std::to_string(status / 100) + "xx";
    metrics.add("guichet_agency_http_total", {{"instance", instance}, {"method", method}, {"status", answered}});
    metrics.observe_ms("guichet_agency_http_ms", {{"instance", instance}}, ms);
  };
}

// Which instance serves which need where, with each instance's deadline rule checked now: a bad
// rule must stop the hub at start-up, not fail a référent's request later.
cases::Routing routing_of(const connectors::Registry& registry) {
  cases::Routing routing;
  for (const auto& report : registry.instances()) {
    const connectors::InstanceConfig* config = registry.config(report.instance);
    nlohmann::json deadline = config ? config->deadline : nlohmann::json();
    try {
      cases::check_deadline_rule(deadline);
    } catch (const std::invalid_argument& e) {
      throw config::ConfigError((config ? config->file : std::string("config")) + ": instance " + report.instance +
                                ": deadline: " + e.what());
    }
    auto instance = registry.find(report.instance);
    bool answers = instance && instance->has_capability("answer");
    for (const auto& department : report.departments) {
      for (const auto& need : report.needs) routing.add(department, need, {report.instance, report.agency, deadline, answers});
    }
  }
  return routing;
}

void register_gauges(metrics::Registry& metrics, store::Store& store, connectors::Registry& registry) {
  using Series = std::vector<std::pair<metrics::Labels, double>>;
  metrics.gauge("guichet_outbox_depth", "Deliveries and withdrawals waiting in the outbox.", [&store] {
    return Series{{{}, static_cast<double>(store.outbox_stats().depth)}};
  });
  metrics.gauge("guichet_outbox_oldest_age_seconds", "Age of the oldest row waiting in the outbox.", [&store] {
    auto stats = store.outbox_stats();
    double age = stats.depth ? (system_now_ms() - stats.oldest_created_ms) / 1000.0 : 0;
    return Series{{{}, age}};
  });
  metrics.gauge("guichet_requests_overdue", "Open requests past their deadline, per connector instance.", [&store] {
    Series series;
    for (const auto& [instance, count] : store.overdue_by_instance(format_time(system_now_ms()))) {
      series.push_back({{{"instance", instance}}, static_cast<double>(count)});
    }
    return series;
  });
  metrics.gauge("guichet_connector_ready", "1 when the connector instance is ready, 0 otherwise.", [&registry] {
    Series series;
    for (const auto& r : registry.instances()) {
      series.push_back({{{"instance", r.instance}, {"state", connectors::to_string(r.state)}},
                        r.state == connectors::InstanceState::ready ? 1.0 : 0.0});
    }
    return series;
  });
  metrics.describe("guichet_dispatch_total", "Delivery and withdrawal attempts, by instance and result.", "counter");
  metrics.describe("guichet_dispatch_ms", "Connector call latency in milliseconds.", "histogram");
  metrics.describe("guichet_polls_total", "Status polls, by instance and outcome.", "counter");
  metrics.describe("guichet_mail_taken_total", "Mails taken from the hub's mailbox, by effect.", "counter");
  metrics.describe("guichet_cases_erased_total", "Settled cases erased at the end of their retention period.",
                   "counter");
}

int serve(const Arguments& args) {
  // Poco 1.11 tears OpenSSL's locks down whenever its last user goes away (a DigestEngine of a JWT
  // check ends), racing with another request thread starting one: a crash under concurrent
  // requests. One user for the life of the process keeps them up.
  Poco::Crypto::OpenSSLInitializer crypto;
  // Block the termination signals before any thread starts, so that only sigwait() below sees
  // them (a thread started later inherits the mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  config::HubConfig c = load_config(args);
  // Every logger, those made before the config was read included.
  Poco::Logger::setLevel("", Poco::Logger::parseLevel(c.log_level));
  auto& log = Poco::Logger::get("guichet");
  std::filesystem::create_directories(c.data_dir);
  std::unique_ptr<store::Store> opened = store::open_store(c.store);
  store::Store& store = *opened;
  metrics::Registry metrics;
  connectors::RegistryOptions options = registry_options(c);
  options.on_agency_http = agency_http_metrics(metrics);
  connectors::Registry registry(std::move(options));
  for (const auto& plugin : registry.plugins()) {
    if (plugin.state != "loaded") log.warning("plugin %s rejected: %s", plugin.file, plugin.reason);
  }
  for (const auto& instance : registry.instances()) {
    if (instance.state == connectors::InstanceState::rejected) {
      log.warning("instance %s rejected: %s", instance.instance, instance.last_error);
    }
  }
  register_gauges(metrics, store, registry);

  privacy::KeyStore keys(c.data_dir);
  privacy::Vault vault(keys);
  dispatch::Dispatcher dispatcher(
      store, vault, registry, system_now_ms, c.dispatch,
      [&metrics](const std::string& instance, const std::string& operation, const std::string& result, int64_t ms) {
        metrics.add("guichet_dispatch_total", {{"instance", instance}, {"operation", operation}, {"result", result}});
        metrics.observe_ms("guichet_dispatch_ms", {{"instance", instance}}, static_cast<double>(ms));
      });
  inbound::Poller poller(store, registry, system_now_ms, [&metrics](const std::string& instance, int, bool ok) {
    metrics.add("guichet_polls_total", {{"instance", instance}, {"outcome", ok ? "ok" : "error"}});
  });
  // New cases' deliveries go to the dispatcher in hand, leased in the intake's transaction.
  cases::Handoff handoff{[&dispatcher](size_t rows) { return dispatcher.lease_for(rows); },
                         [&dispatcher](size_t rows) { dispatcher.unlease(rows); },
                         [&dispatcher](std::vector<store::Delivery> deliveries, store::PersonRecord person) {
                           dispatcher.hand_over(std::move(deliveries), std::move(person));
                         }};
  cases::CaseService case_service(store, vault, routing_of(registry), system_now_ms,
                                  [&dispatcher] { dispatcher.wake(); }, new_correlation, std::move(handoff));
  inbound::Webhooks webhooks(store, registry, system_now_ms, [&poller](const std::string& instance) { poller.poll(instance); });
  std::optional<http::OidcVerifier> oidc;
  if (c.oidc) {
    oidc.emplace(*c.oidc, http::Jwks::load(c.oidc->jwks_file));
    log.information("accepting RS256 tokens of %s", c.oidc->issuer);
  }
  http::TokenAuthority tokens(config::load_or_create_jwt_secret(c.jwt_secret_file), system_now_ms, std::move(oidc));
  // Monotonic: setting the system clock back must not lock référents out.
  http::RateLimiter limiter(c.rate_limit, [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  });
  review::ReviewQueue review_queue(store, vault, system_now_ms);
  inbound::MailIntake mail_intake(store, registry, review_queue, c.mail.mailbox, system_now_ms);
  std::optional<inbound::Mailbox> mailbox;
  if (c.mailbox) {
    // Read at each round: scripts/pop3server may write the password after the hub started.
    mailbox.emplace(
        *c.mailbox, mail_intake,
        [file = c.secrets_file](const std::string& name) { return connectors::Secrets::load(file).find(name); },
        [&metrics](const std::string& outcome) { metrics.add("guichet_mail_taken_total", {{"outcome", outcome}}); });
  }
  auto breakers = [&dispatcher] {
    std::map<std::string, std::string> states;
    for (const auto& [instance, state] : dispatcher.breaker_states()) states[instance] = dispatch::to_string(state);
    return states;
  };
  metrics.gauge("guichet_breaker_open", "1 while the instance's circuit breaker holds calls back.", [&dispatcher] {
    std::vector<std::pair<metrics::Labels, double>> series;
    for (const auto& [instance, state] : dispatcher.breaker_states()) {
      series.push_back({{{"instance", instance}}, state == dispatch::CircuitBreaker::State::closed ? 0.0 : 1.0});
    }
    return series;
  });
  http::Api api({case_service, registry, webhooks, tokens, limiter, metrics, store, review_queue, breakers, c.web_dir});
  http::Server server(api, metrics, c.http);
  std::optional<cases::Retention> retention;
  if (c.retention_settled_days > 0) {
    retention.emplace(store, vault, system_now_ms, c.retention_settled_days, int64_t{3600} * 1000,
                      [&metrics](int erased) { metrics.add("guichet_cases_erased_total", {}, erased); });
  }

  dispatcher.start();
  poller.start();
  if (mailbox) {
    mailbox->start();
  } else {
    log.warning("no mail.pop3 in the configuration: agencies' replies by mail are not read");
  }
  if (retention) retention->start();
  server.start();
  log.information("guichet listening on http://%s:%d (data in %s)", c.http.host, server.port(), c.data_dir.string());

  int received = 0;
  sigwait(&signals, &received);
  log.information("stopping on signal %d", received);
  server.stop();
  if (retention) retention->stop();
  if (mailbox) mailbox->stop();
  poller.stop();
  dispatcher.stop();
  return 0;
}

int64_t parse_ttl(const std::string& text) {
  if (text.empty()) throw std::invalid_argument("empty --ttl");
  char unit = text.back();
  int64_t value = std::stoll(text.substr(0, text.size() - (std::isdigit(static_cast<unsigned char>(unit)) ? 0 : 1)));
  switch (unit) {
    case 'h': return value * 3600;
    case 'm': return value * 60;
    case 'd': return value * 86400;
    case 's': return value;
    default:
      if (std::isdigit(static_cast<unsigned char>(unit))) return value;
      throw std::invalid_argument("--ttl takes a number with s, m, h or d");
  }
}

int token(const Arguments& args) {
  std::string referent = args.get("referent"), department = args.get("department");
  if (referent.empty() || department.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  config::HubConfig c = load_config(args);
  http::TokenAuthority tokens(config::load_or_create_jwt_secret(c.jwt_secret_file), system_now_ms);
  std::cout << tokens.mint(referent, department, parse_ttl(args.get("ttl", "8h"))) << '\n';
  return 0;
}

int list_connectors(const Arguments& args) {
  config::HubConfig c = load_config(args);
  connectors::Registry registry(registry_options(c));
  std::cout << "plugins (" << c.plugin_dir.string() << ")\n";
  for (const auto& p : registry.plugins()) {
    std::cout << "  " << p.state << "  " << (p.id.empty() ? p.file : p.id + " " + p.version);
    if (!p.reason.empty()) std::cout << "  — " << p.reason;
    std::cout << '\n';
  }
  std::cout << "instances (" << c.departments_dir.string() << ")\n";
  bool all_ready = true;
  for (const auto& i : registry.instances()) {
    std::cout << "  " << connectors::to_string(i.state) << "  " << i.instance << " (" << i.plugin << " " << i.version
              << ") serves";
    for (const auto& need : i.needs) std::cout << ' ' << need;
    if (!i.last_error.empty()) std::cout << "  — " << i.last_error;
    std::cout << '\n';
    all_ready = all_ready && i.state == connectors::InstanceState::ready;
  }
  if (args.options.count("check") == 0) return all_ready ? 0 : 1;

  // The conformance suite on every plugin file the hub would load: a plugin that fails it must
  // not be deployed, whether or not an instance uses it yet.
  bool all_conform = true;
  for (const auto& p : registry.plugins()) {
    if (p.state != "loaded") continue;
    all_conform = conformance::check_plugin(p.file, std::cout) && all_conform;
  }
  return all_ready && all_conform ? 0 : 1;
}

// Re-wraps every case key under a new master key (docs/privacy.md). Hubs must be stopped: the
// exclusive lock on the key store proves that none is running on this data directory.
int keys(const Arguments& args) {
  if (args.get("action") != "rotate") {
    std::cerr << kUsage;
    return 2;
  }
  config::HubConfig c = load_config(args);
  try {
    privacy::KeyStore store(c.data_dir, privacy::FileLock::Mode::exclusive);
    size_t count = store.rotate();
    std::cout << "re-wrapped " << count << " case key(s) under a new master key in " << c.data_dir.string() << '\n';
    store::open_store(c.store)->record_audit(
        store::audit_event("admin", "keys.rotate", "", "", {{"case_keys", count}}));
    return 0;
  } catch (const privacy::LockBusy&) {
    std::cerr << "guichet: a hub is running on " << c.data_dir.string() << ": stop it before rotating keys\n";
    return 75;  // EX_TEMPFAIL
  }
}

// The audit log (docs/privacy.md). verify checks its chain; show prints a case's entries, one JSON
// object a line. Both only read, so they may run beside serving hubs.
int audit(const Arguments& args) {
  std::string action = args.get("action");
  if ((action != "verify" && action != "show") || (action == "show" && args.get("case").empty())) {
    std::cerr << kUsage;
    return 2;
  }
  config::HubConfig c = load_config(args);
  // Opening a missing file would create an empty, trivially intact, log.
  if (c.store.kind == "sqlite" && !std::filesystem::exists(c.store.file)) {
    std::cerr << "guichet: no database at " << c.store.file.string() << '\n';
    return 74;  // EX_IOERR
  }
  std::unique_ptr<store::Store> opened = store::open_store(c.store);
  if (action == "show") {
    constexpr int kPage = 1000;
    for (int64_t after = 0;;) {
      auto page = opened->audit_entries(args.get("case"), after, kPage);
      for (const auto& e : page) {
        nlohmann::json line = {{"seq", e.seq},         {"at", e.at},
                               {"actor", e.actor},     {"action", e.action},
                               {"case_id", e.case_id}, {"request_id", e.request_id},
                               {"detail", nlohmann::json::parse(e.detail, nullptr, false)}};
        std::cout << line.dump() << '\n';
      }
      if (static_cast<int>(page.size()) < kPage) return 0;
      after = page.back().seq;
    }
  }
  std::optional<store::AuditHead> anchor;
  if (std::string text = args.get("anchor"); !text.empty()) {
    size_t colon = text.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("--anchor takes SEQ:HASH, as verify printed it");
    anchor = store::AuditHead{std::stoll(text.substr(0, colon)), text.substr(colon + 1)};
  }
  store::AuditCheck check = store::verify_audit(*opened, anchor);
  if (check.bad) {
    std::cout << "audit chain broken: entry " << *check.bad << ": " << check.problem << " (" << check.verified
              << " entries sound before it)\n";
    return 1;
  }
  // The head, to be kept outside the database and given back with --anchor: removing the newest
  // entries together with the head would otherwise not show.
  std::cout << "audit chain intact: " << check.verified << " entries, head " << check.verified << ':'
            << check.head_hash << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  configure_logging();
  auto args = parse_arguments(argc, argv);
  if (!args) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    if (args->command == "serve") return serve(*args);
    if (args->command == "token") return token(*args);
    if (args->command == "connectors") return list_connectors(*args);
    if (args->command == "keys") return keys(*args);
    if (args->command == "audit") return audit(*args);
    if (args->command == "new-connector") return scaffold::run_new_connector(args->options, std::cout);
  } catch (const config::ConfigError& e) {
    std::cerr << "guichet: configuration error: " << e.what() << '\n';
    return 78;  // EX_CONFIG
  } catch (const connectors::ConfigError& e) {
    std::cerr << "guichet: configuration error: " << e.what() << '\n';
    return 78;
  } catch (const http::JwksError& e) {
    std::cerr << "guichet: configuration error: " << e.what() << '\n';
    return 78;
  } catch (const store::StoreUnavailable& e) {
    std::cerr << "guichet: " << e.what() << '\n';
    return 74;  // EX_IOERR
  } catch (const std::exception& e) {
    std::cerr << "guichet: " << e.what() << '\n';
    return 1;
  }
  std::cerr << kUsage;
  return 2;
}
