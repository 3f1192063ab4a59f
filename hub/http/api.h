// The routes of docs/api.md, as one function of a request. Every answer follows the contract,
// whatever happens inside: an exception becomes a JSON error, never a dropped connection, and
// bad input is never a 5xx.
//
// Thread-safety: handle() is called concurrently by the server's threads.
#ifndef GUICHET_HUB_HTTP_API_H
#define GUICHET_HUB_HTTP_API_H

#include "hub/cases/case_service.h"
#include "hub/connectors/registry.h"
#include "hub/http/exchange.h"
#include "hub/http/rate_limiter.h"
#include "hub/http/token_authority.h"
#include "hub/inbound/webhooks.h"
#include "hub/metrics/metrics.h"
#include "hub/review/review_queue.h"
#include "hub/store/store.h"

#include <filesystem>
#include <functional>
#include <map>

namespace guichet::http {

struct ApiDependencies {
  cases::CaseService& cases;
  connectors::Registry& registry;
  inbound::Webhooks& webhooks;
  const TokenAuthority& tokens;
  RateLimiter& limiter;  // per référent, on every authenticated /v1 route
  metrics::Registry& metrics;
  store::Store& store;
  review::ReviewQueue& review;
  // Each instance's circuit breaker ("closed", "open", "half_open"), from the dispatcher.
  std::function<std::map<std::string, std::string>()> breakers;
  std::filesystem::path web_dir;  // the dashboard's static files; empty: no dashboard
};

class Api {
 public:
  explicit Api(ApiDependencies dependencies) : d_(std::move(dependencies)) {}
  Response handle(const Request& request) const;

 private:
  Response route(const Request& request) const;
  // The caller's token, then its rate: 401 or 429 before the route does anything.
  cases::Principal authenticate(const Request& request) const;
  Response cases(const Request& request, const std::vector<std::string>& parts) const;
  Response connectors() const;
  Response review(const Request& request, const std::vector<std::string>& parts) const;
  Response inbound(const Request& request, const std::string& instance) const;
  Response disclosures(const cases::Principal& who, const std::string& case_id) const;
  Response static_file(const std::string& relative) const;

  ApiDependencies d_;
};

}  // namespace guichet::http

#endif
