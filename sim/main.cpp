// guichet-sim <agency> [flags]: runs one agency simulator on 127.0.0.1 until SIGINT or SIGTERM.
// Protocols and flags: docs/agencies.md; usage: sim/README.md.
#include "association/association_simulator.hpp"
#include "caf/caf_simulator.hpp"
#include "common/options.hpp"
#include "demarches_simplifiees/demarches_simplifiees_simulator.hpp"
#include "email_agencies/email_agencies_simulator.hpp"
#include "france_travail/france_travail_simulator.hpp"

#include <Poco/Exception.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <pthread.h>

namespace {

using guichet::sim::Options;

const char* const usage =
    "usage: guichet-sim caf|france_travail [flags]\n"
    "       guichet-sim association [--port N] [--api-key K] [--step-ms N] [fault flags]\n"
    "       guichet-sim demarches_simplifiees [--port N] [--token T] [--step-ms N] [--webhook-url URL]\n"
    "                                         [--timeout-rate R] [fault flags]\n"
    "       guichet-sim email_agencies --accounts FILE [--pop3-port N] [--smtp-port N] [--step-ms N]\n"
    "                                  [--poll-ms N]\n"
    "  --port N             listen on 127.0.0.1:N (0 picks a free port)\n"
    "  --client-id ID       the one OAuth2 client accepted (default guichet)\n"
    "  --client-secret S    its secret (default guichet-secret)\n"
    "  --scope \"A B\"        allowed scopes, space-separated\n"
    "  --step-ms N          a request moves one state further every N ms (default 3000)\n"
    "  --token-ttl-s N      token lifetime in seconds (default 1499)\n"
    "  --error-rate R  --latency-ms N  --fail-5xx-for-s S  --hang-rate R  --rate-limit-rate R  --trickle-rate R\n"
    "  caf only: --webhook-url http://host:port/path  --webhook-secret S\n";

const std::set<std::string> common_flags = {
    "port",       "client-id",  "client-secret",  "scope",     "step-ms",        "token-ttl-s",
    "error-rate", "latency-ms", "fail-5xx-for-s", "hang-rate", "rate-limit-rate", "trickle-rate"};

long checked(long value, long low, long high, const std::string& flag) {
  if (value < low || value > high) throw std::invalid_argument("--" + flag + " is out of range");
  return value;
}

guichet::sim::RestSettings rest_settings(const std::string& agency, const Options& options,
                                         std::uint16_t default_port, const std::string& default_scope) {
  guichet::sim::RestSettings settings;
  settings.agency = agency;
  settings.port = static_cast<std::uint16_t>(
      checked(options.integer("port", default_port), 0, 65535, "port"));
  settings.tokens.client_id = options.text("client-id", "guichet");
  settings.tokens.client_secret = options.text("client-secret", "guichet-secret");
  settings.tokens.allowed_scopes = guichet::sim::split_scopes(options.text("scope", default_scope));
  settings.tokens.lifetime =
      std::chrono::seconds(checked(options.integer("token-ttl-s", 1499), 1, 86'400, "token-ttl-s"));
  settings.faults.error_rate = options.number("error-rate", 0);
  settings.faults.latency_ms = static_cast<int>(
      checked(options.integer("latency-ms", 0), 0, 60'000, "latency-ms"));
  settings.faults.fail_5xx_for_s = options.number("fail-5xx-for-s", 0);
  settings.faults.hang_rate = options.number("hang-rate", 0);
  settings.faults.rate_limit_rate = options.number("rate-limit-rate", 0);
  settings.faults.trickle_rate = options.number("trickle-rate", 0);
  return settings;
}

std::chrono::milliseconds step_of(const Options& options) {
  return std::chrono::milliseconds(checked(options.integer("step-ms", 3000), 1, 86'400'000, "step-ms"));
}

std::unique_ptr<guichet::sim::Simulator> make_simulator(const std::string& agency,
                                                        const std::vector<std::string>& args) {
  using guichet::sim::caf::CafSimulator;
  using guichet::sim::france_travail::FranceTravailSimulator;
  if (agency == "caf") {
    std::set<std::string> flags = common_flags;
    flags.insert({"webhook-url", "webhook-secret"});
    const Options options(args, flags);
    guichet::sim::caf::CafSettings settings;
    settings.rest = rest_settings(agency, options, CafSimulator::default_port, CafSimulator::default_scope);
    settings.step = step_of(options);
    settings.webhook_url = options.text("webhook-url", "");
    settings.webhook_secret = options.text("webhook-secret", "");
    if (!settings.webhook_url.empty() && settings.webhook_secret.empty()) {
      throw std::invalid_argument("--webhook-url needs --webhook-secret");
    }
    return std::make_unique<CafSimulator>(settings);
  }
  if (agency == "france_travail") {
    const Options options(args, common_flags);
    guichet::sim::france_travail::FranceTravailSettings settings;
    settings.rest = rest_settings(agency, options, FranceTravailSimulator::default_port,
                                  FranceTravailSimulator::default_scope);
    settings.step = step_of(options);
    return std::make_unique<FranceTravailSimulator>(settings);
  }
  if (agency == "email_agencies") {
    const Options options(args, {"accounts", "pop3-port", "smtp-port", "step-ms", "poll-ms"});
    guichet::sim::email::EmailAgenciesSettings settings;
    std::string accounts = options.text("accounts", "");
    if (accounts.empty()) throw std::invalid_argument("--accounts is required");
    settings.accounts = guichet::sim::email::load_accounts(accounts);
    settings.pop3_port = static_cast<std::uint16_t>(checked(options.integer("pop3-port", 1110), 1, 65535, "pop3-port"));
    settings.smtp_port = static_cast<std::uint16_t>(checked(options.integer("smtp-port", 2525), 1, 65535, "smtp-port"));
    settings.step = step_of(options);
    settings.poll_period =
        std::chrono::milliseconds(checked(options.integer("poll-ms", 1000), 10, 3'600'000, "poll-ms"));
    return std::make_unique<guichet::sim::email::EmailAgenciesSimulator>(settings);
  }
  if (agency == "association") return guichet::sim::association::make_association_simulator(args);
  if (agency == "demarches_simplifiees") {
    return guichet::sim::demarches_simplifiees::make_demarches_simplifiees_simulator(args);
  }
  throw std::invalid_argument("unknown agency '" + agency + "'");
}

}  // namespace

int main(int argc, char** argv) {
  // Blocked before any thread starts, so every thread inherits the mask and only sigwait() below
  // receives the termination signals; SIGPIPE stays blocked so a client hanging up mid-answer
  // cannot kill the process.
  sigset_t blocked;
  sigemptyset(&blocked);
  for (int signal : {SIGINT, SIGTERM, SIGQUIT, SIGPIPE}) sigaddset(&blocked, signal);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);

  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  std::unique_ptr<guichet::sim::Simulator> simulator;
  try {
    simulator = make_simulator(args[0], {args.begin() + 1, args.end()});
    simulator->start();
  } catch (const Poco::Exception& error) {
    std::cerr << "guichet-sim: " << error.displayText() << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "guichet-sim: " << error.what() << "\n" << usage;
    return 2;
  }
  std::cout << "guichet-sim " << args[0] << " " << simulator->ready_message() << std::endl;

  sigset_t termination;
  sigemptyset(&termination);
  for (int signal : {SIGINT, SIGTERM, SIGQUIT}) sigaddset(&termination, signal);
  int received = 0;
  sigwait(&termination, &received);
  simulator->stop();
  return 0;
}
