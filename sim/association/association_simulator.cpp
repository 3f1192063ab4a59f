#include "association/association_simulator.hpp"

#include "common/json_fields.hpp"
#include "common/log.hpp"
#include "common/options.hpp"

#include <cstdio>
#include <stdexcept>

namespace guichet::sim::association {
namespace {

CaseLifecycle lifecycle() {
  return {{{"recue", ""}, {"en_cours", ""}, {"acceptee", ""}},
          {{"recue", ""}, {"en_cours", ""}, {"refusee", "Plus de place disponible dans nos hébergements"}},
          "annulee",
          {},
          {}};
}

std::string id_for(int sequence) {
  char id[32];
  std::snprintf(id, sizeof id, "DCDF-%04d", sequence);
  return id;
}

long checked(long value, long low, long high, const std::string& flag) {
  if (value < low || value > high) throw std::invalid_argument("--" + flag + " is out of range");
  return value;
}

}  // namespace

AssociationSimulator::AssociationSimulator(const AssociationSettings& settings)
    : orientations_(StateClock(settings.step), lifecycle()), rest_([&] {
        RestSettings rest = settings.rest;
        std::string key = settings.api_key;
        rest.authorize = [key](const Request& request) { return request.header(api_key_header) == key; };
        return rest;
      }()) {
  rest_.add("POST", "/api/orientations", Guard::idempotent, [this](const Request& request) { return create(request); });
  rest_.add("GET", "/api/orientations/{id}", Guard::token, [this](const Request& request) { return status(request); });
}

AssociationSimulator::~AssociationSimulator() { stop(); }

Response AssociationSimulator::create(const Request& request) {
  for (const char* field : {"beneficiaire.nom", "beneficiaire.prenoms"}) {
    if (is_missing(request.json, field)) return invalid_field(field);
  }
  const std::string id = orientations_.open(id_for, text_at(request.json, "reference_externe"));
  log_line(rest_.agency(), "orientation " + id + " recue");
  return Response::json(201, Json{{"id", id}, {"statut", "recue"}});
}

Response AssociationSimulator::status(const Request& request) const {
  const auto orientation = orientations_.find(request.param("id"), now_ms());
  if (!orientation) return Response::error(404, "not_found");
  return Response::json(200, Json{{"id", orientation->id},
                                  {"statut", orientation->state.state.status},
                                  {"motif", motif_or_null(orientation->state.state.motif)},
                                  {"date_maj", format_rfc3339(orientation->state.at)}});
}

std::unique_ptr<Simulator> make_association_simulator(const std::vector<std::string>& args) {
  const Options options(args, {"port", "api-key", "step-ms", "error-rate", "latency-ms", "fail-5xx-for-s", "hang-rate",
                               "rate-limit-rate"});
  AssociationSettings settings;
  settings.rest.agency = "association";
  settings.rest.port =
      static_cast<std::uint16_t>(checked(options.integer("port", AssociationSimulator::default_port), 0, 65535, "port"));
  settings.rest.faults.error_rate = options.number("error-rate", 0);
  settings.rest.faults.latency_ms = static_cast<int>(checked(options.integer("latency-ms", 0), 0, 60'000, "latency-ms"));
  settings.rest.faults.fail_5xx_for_s = options.number("fail-5xx-for-s", 0);
  settings.rest.faults.hang_rate = options.number("hang-rate", 0);
  settings.rest.faults.rate_limit_rate = options.number("rate-limit-rate", 0);
  settings.step = std::chrono::milliseconds(checked(options.integer("step-ms", 3000), 1, 86'400'000, "step-ms"));
  settings.api_key = options.text("api-key", settings.api_key);
  if (settings.api_key.empty()) throw std::invalid_argument("--api-key must not be empty");
  return std::make_unique<AssociationSimulator>(settings);
}

}  // namespace guichet::sim::association
