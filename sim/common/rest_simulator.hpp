// The request pipeline shared by the REST agency simulators. An agency adds its routes with a
// Guard; the pipeline applies, in order: fault injection (not on admin routes), the Bearer token
// check, JSON body parsing, the Idempotency-Key and the ledger, then the agency's handler.
// It also serves GET /healthz, GET /_received, GET and POST /_faults.
//
// Thread-safety: routes are added before start(); after it, handlers run concurrently.
#ifndef GUICHET_SIM_COMMON_REST_SIMULATOR_HPP
#define GUICHET_SIM_COMMON_REST_SIMULATOR_HPP

#include "common/fault_injector.hpp"
#include "common/http_server.hpp"
#include "common/ledger.hpp"
#include "common/router.hpp"
#include "common/token_issuer.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace guichet::sim {

struct RestSettings {
  std::string agency;  // "caf", "france_travail": names the ledger and the log lines
  std::uint16_t port = 0;
  TokenSettings tokens;
  FaultSettings faults;
  // Replaces the check of OAuth2 Bearer tokens on token and idempotent routes, for agencies that
  // authenticate otherwise (an API key header, an administrator token); empty: Bearer tokens.
  std::function<bool(const Request&)> authorize;
};

class RestSimulator {
 public:
  explicit RestSimulator(const RestSettings& settings);

  void add(std::string method, const std::string& pattern, Guard guard, Handler handler);
  TokenIssuer& tokens() { return tokens_; }

  void start() { server_.start(); }
  void stop() { server_.stop(); }
  std::uint16_t port() const { return server_.port(); }
  const std::string& agency() const { return agency_; }

 private:
  Response dispatch(Request& request);
  Response guarded(const Route& route, Request& request);

  const std::string agency_;
  const std::function<bool(const Request&)> authorize_;
  Router router_;
  TokenIssuer tokens_;
  FaultInjector faults_;
  Ledger ledger_;
  HttpServer server_;  // last: destroyed first, so no handler outlives what it uses
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_REST_SIMULATOR_HPP
