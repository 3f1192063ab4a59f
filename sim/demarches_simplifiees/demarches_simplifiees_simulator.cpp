#include "demarches_simplifiees/demarches_simplifiees_simulator.hpp"

#include "common/log.hpp"
#include "common/options.hpp"
#include "demarches_simplifiees/graphql_request.hpp"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <stdexcept>

namespace guichet::sim::demarches_simplifiees {
namespace {

constexpr const char* kPublicApi = "/api/public/";

long checked(long value, long low, long high, const std::string& flag) {
  if (value < low || value > high) throw std::invalid_argument("--" + flag + " is out of range");
  return value;
}

Json graphql_error(const std::string& code, const std::string& message) {
  return Json{{"message", message}, {"extensions", {{"code", code}}}};
}

Json node(const DossierView& dossier) {
  const State& state = dossier.state.state;
  return Json{{"number", dossier.number},
              {"state", state.status},
              {"motivation", state.motif.empty() ? Json() : Json(state.motif)},
              {"dateDerniereModification", format_rfc3339(dossier.state.at)}};
}

// One unsigned, form-encoded POST, as DS's WebHookJob sends it: no signature, no retry.
void post_form(const std::string& url, const DossierView& change) {
  const std::string label = std::to_string(change.number) + " " + change.state.state.status;
  try {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(2, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTMLForm form;
    form.set("procedure_id", std::to_string(change.demarche));
    form.set("dossier_id", change.id);
    form.set("state", change.state.state.status);
    form.set("updated_at", format_rfc3339(change.state.at));
    form.prepareSubmit(request);
    form.write(session.sendRequest(request));
    Poco::Net::HTTPResponse response;
    Poco::NullOutputStream sink;
    Poco::StreamCopier::copyStream(session.receiveResponse(response), sink);
    log_line("demarches_simplifiees", "webhook " + label + " -> " + std::to_string(response.getStatus()));
  } catch (const Poco::Exception& error) {
    log_line("demarches_simplifiees", "webhook " + label + " failed: " + error.displayText());
  }
}

}  // namespace

DsSimulator::DsSimulator(const DsSettings& settings)
    : settings_(settings), dossiers_(StateClock(settings.step)), timeout_rate_(settings.timeout_rate), rest_([&] {
        RestSettings rest = settings.rest;
        std::string token = settings.token;
        // The prefill API is public; the GraphQL API takes the administrator token, written either
        // way DS's documentation shows it.
        rest.authorize = [token](const Request& request) {
          const std::string authorization = request.header("Authorization");
          return request.path.rfind(kPublicApi, 0) == 0 || authorization == "Bearer " + token ||
                 authorization == "Bearer token=" + token;
        };
        return rest;
      }()) {
  if (timeout_rate_ < 0 || timeout_rate_ > 1) throw std::invalid_argument("--timeout-rate must be from 0 to 1");
  rest_.add("POST", "/api/public/v1/demarches/{demarche}/dossiers", Guard::idempotent,
            [this](const Request& request) { return prefill(request); });
  rest_.add("POST", "/api/v2/graphql", Guard::token, [this](const Request& request) { return graphql(request); });
  rest_.add("POST", "/_graphql_faults", Guard::admin, [this](const Request& request) { return configure(request); });
}

DsSimulator::~DsSimulator() { stop(); }

void DsSimulator::start() {
  rest_.start();
  if (!settings_.webhook_url.empty()) {
    const auto period = std::clamp(settings_.step / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(200));
    notifier_ = std::make_unique<PeriodicTask>(period, [this] { notify_changes(); });
  }
}

void DsSimulator::stop() {
  rest_.stop();
  notifier_.reset();
}

Response DsSimulator::prefill(const Request& request) {
  int demarche = 0;
  try {
    demarche = std::stoi(request.param("demarche"));
  } catch (const std::exception&) {
    return Response::error(404, "not_found");
  }
  if (!request.json.is_object()) return Response::error(400, "invalid_request");
  for (const auto& [key, value] : request.json.items()) {
    if (key.rfind("champ_", 0) != 0) return Response::json(400, Json{{"error", "invalid_request"}, {"champ", key}});
  }
  const DossierView dossier = dossiers_.open(demarche);
  log_line(rest_.agency(), "dossier " + std::to_string(dossier.number) + " prerempli");
  return Response::json(201, Json{{"dossier_url", "http://127.0.0.1:" + std::to_string(port()) + "/commencer/demarche-" +
                                                      std::to_string(demarche) + "?prefill_token=" + dossier.id},
                                  {"dossier_id", dossier.id},
                                  {"dossier_number", dossier.number}});
}

Response DsSimulator::graphql(const Request& request) {
  const auto query = parse_dossiers_query(request.json);
  if (!query) {
    return Response::json(200, Json{{"errors", Json::array({graphql_error("graphql_parse_error", "Only dossiers queries are simulated")})}});
  }
  std::optional<TimePoint> since;
  if (query->updated_since) {
    since = parse_rfc3339(*query->updated_since);
    if (!since) return Response::json(200, Json{{"errors", Json::array({graphql_error("bad_request", "Invalid updatedSince")})}});
  }
  std::size_t offset = 0;
  if (query->after) {
    try {
      offset = std::stoul(*query->after);
    } catch (const std::exception&) {
      return Response::json(200, Json{{"errors", Json::array({graphql_error("bad_request", "Invalid cursor")})}});
    }
  }
  const std::vector<DossierView> changed = dossiers_.changed_since(query->demarche, since.value_or(TimePoint{}), now_ms());
  const std::size_t end = std::min(changed.size(), offset + static_cast<std::size_t>(query->first));
  Json nodes = Json::array();
  for (std::size_t i = std::min(offset, end); i < end; ++i) nodes.push_back(node(changed[i]));
  const bool next = end < changed.size();
  if (timeout_now()) {
    // DS stops resolving after 10 s on a node: what it answers is partial, and says so at the root.
    if (nodes.size() > 1) nodes.erase(nodes.begin() + 1, nodes.end());
    Json page{{"nodes", nodes}, {"pageInfo", {{"endCursor", nullptr}, {"hasNextPage", false}}}};
    return Response::json(200, Json{{"data", {{"demarche", {{"dossiers", page}}}}},
                                    {"errors", Json::array({graphql_error("timeout", "Timeout on Demarche.dossiers")})}});
  }
  Json page{{"nodes", nodes},
            {"pageInfo", {{"endCursor", end > offset ? Json(std::to_string(end)) : Json()}, {"hasNextPage", next}}}};
  return Response::json(200, Json{{"data", {{"demarche", {{"number", query->demarche}, {"dossiers", page}}}}}});
}

Response DsSimulator::configure(const Request& request) {
  const auto changes = nlohmann::json::parse(request.body, nullptr, false);
  if (!changes.is_object() || !changes.contains("timeout_rate") || !changes["timeout_rate"].is_number() ||
      changes["timeout_rate"].get<double>() < 0 || changes["timeout_rate"].get<double>() > 1) {
    return Response::json(400, Json{{"error", "invalid_request"}, {"champ", "timeout_rate"}});
  }
  std::lock_guard lock(random_mutex_);
  timeout_rate_ = changes["timeout_rate"].get<double>();
  return Response::json(200, Json{{"timeout_rate", timeout_rate_}});
}

bool DsSimulator::timeout_now() {
  std::lock_guard lock(random_mutex_);
  return timeout_rate_ > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < timeout_rate_;
}

void DsSimulator::notify_changes() {
  for (const DossierView& change : dossiers_.take_unreported_changes(now_ms())) post_form(settings_.webhook_url, change);
}

std::unique_ptr<Simulator> make_demarches_simplifiees_simulator(const std::vector<std::string>& args) {
  const Options options(args, {"port", "token", "step-ms", "webhook-url", "timeout-rate", "error-rate", "latency-ms",
                               "fail-5xx-for-s", "hang-rate", "rate-limit-rate"});
  DsSettings settings;
  settings.rest.agency = "demarches_simplifiees";
  settings.rest.port = static_cast<std::uint16_t>(checked(options.integer("port", DsSimulator::default_port), 0, 65535, "port"));
  settings.rest.faults.error_rate = options.number("error-rate", 0);
  settings.rest.faults.latency_ms = static_cast<int>(checked(options.integer("latency-ms", 0), 0, 60'000, "latency-ms"));
  settings.rest.faults.fail_5xx_for_s = options.number("fail-5xx-for-s", 0);
  settings.rest.faults.hang_rate = options.number("hang-rate", 0);
  settings.rest.faults.rate_limit_rate = options.number("rate-limit-rate", 0);
  settings.step = std::chrono::milliseconds(checked(options.integer("step-ms", 3000), 1, 86'400'000, "step-ms"));
  settings.token = options.text("token", settings.token);
  if (settings.token.empty()) throw std::invalid_argument("--token must not be empty");
  settings.webhook_url = options.text("webhook-url", "");
  if (!settings.webhook_url.empty() && settings.webhook_url.rfind("http://", 0) != 0) {
    throw std::invalid_argument("--webhook-url must be http://host:port/path");
  }
  settings.timeout_rate = options.number("timeout-rate", 0);
  return std::make_unique<DsSimulator>(settings);
}

}  // namespace guichet::sim::demarches_simplifiees
