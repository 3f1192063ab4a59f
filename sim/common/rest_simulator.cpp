#include "common/rest_simulator.hpp"

#include <thread>

namespace guichet::sim {
namespace {

Response with_retry_after(Response response, const char* seconds) {
  response.headers.emplace_back("Retry-After", seconds);
  return response;
}

}  // namespace

RestSimulator::RestSimulator(const RestSettings& settings)
    : agency_(settings.agency),
      authorize_(settings.authorize),
      tokens_(settings.tokens),
      faults_(settings.faults),
      server_(settings.agency, settings.port, [this](Request& request) { return dispatch(request); }) {
  add("GET", "/healthz", Guard::admin,
      [this](const Request&) { return Response::json(200, Json{{"status", "ok"}, {"agency", agency_}}); });
  add("GET", "/_received", Guard::admin,
      [this](const Request&) { return Response::json(200, ledger_.to_json(agency_)); });
  add("GET", "/_faults", Guard::admin,
      [this](const Request&) { return Response::json(200, faults_.to_json()); });
  add("POST", "/_faults", Guard::admin, [this](const Request& request) {
    const auto changes = nlohmann::json::parse(request.body, nullptr, false);
    return changes.is_discarded() ? Response::error(400, "invalid_request") : faults_.configure(changes);
  });
}

void RestSimulator::add(std::string method, const std::string& pattern, Guard guard, Handler handler) {
  router_.add(std::move(method), pattern, guard, std::move(handler));
}

Response RestSimulator::dispatch(Request& request) {
  Match match = router_.match(request.method, request.path);
  if (!match.route) return match.path_known ? Response::error(405, "method_not_allowed") : Response::error(404, "not_found");
  request.params = std::move(match.params);
  if (match.route->guard == Guard::admin) return match.route->handler(request);

  const FaultDecision decision = faults_.decide();
  std::this_thread::sleep_for(decision.latency);
  switch (decision.fault) {
    case Fault::unavailable:
      return with_retry_after(Response::error(503, "service_unavailable"), "1");
    case Fault::rate_limited:
      return with_retry_after(Response::error(429, "rate_limited"), "2");
    case Fault::hang: {
      // The call is handled before its answer is withheld: the agency acted but the client never
      // learns it, which is what a lost response looks like and what idempotent retries are for.
      Response response = guarded(*match.route, request);
      response.withhold = true;
      return response;
    }
    case Fault::trickle: {
      Response response = guarded(*match.route, request);
      response.trickle = true;
      return response;
    }
    case Fault::none:
      break;
  }
  return guarded(*match.route, request);
}

Response RestSimulator::guarded(const Route& route, Request& request) {
  if (route.guard == Guard::open) return route.handler(request);

  const bool allowed = authorize_ ? authorize_(request) : tokens_.accepts(request.header("Authorization"));
  if (!allowed) {
    Response response = Response::error(401, "invalid_token");
    response.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return response;
  }
  if (!request.body.empty()) {
    request.json = nlohmann::json::parse(request.body, nullptr, false);
    if (request.json.is_discarded()) return Response::error(400, "invalid_request");
  }
  if (route.guard == Guard::token) return route.handler(request);

  const std::string key = request.header("Idempotency-Key");
  if (key.empty()) return Response::error(400, "missing_idempotency_key");
  return ledger_.submit(key, request.path, request.json, [&] { return route.handler(request); });
}

}  // namespace guichet::sim
