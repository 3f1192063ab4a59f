#include "france_travail/france_travail_simulator.hpp"

#include "common/json_fields.hpp"
#include "common/log.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <cstdio>

namespace guichet::sim::france_travail {
namespace {

constexpr const char* realm = "/partenaire";
constexpr std::size_t max_changes_per_page = 100;

CaseLifecycle lifecycle() {
  return {{{"TRANSMISE", ""}, {"EN_COURS", ""}, {"ACCEPTEE", ""}},
          {{"TRANSMISE", ""},
           {"EN_COURS", ""},
           {"REFUSEE", "L'usager est déjà accompagné par un autre organisme"}},
          "ANNULEE",
          {},
          {}};
}

std::string orientation_id_for(int sequence) {
  char id[24];
  std::snprintf(id, sizeof id, "FTO-%06d", sequence);
  return id;
}

RestSettings with_scope_description(RestSettings settings) {
  settings.tokens.invalid_scope_description = "Unknown/invalid scope(s)";
  return settings;
}

Response not_found() { return Response::error(404, "not_found"); }

}  // namespace

std::string user_id_for(const std::string& nir) {
  Poco::SHA2Engine sha256(Poco::SHA2Engine::SHA_256);
  sha256.update("france_travail.usager:" + nir);
  return "U" + Poco::DigestEngine::digestToHex(sha256.digest()).substr(0, 23);
}

FranceTravailSimulator::FranceTravailSimulator(const FranceTravailSettings& settings)
    : orientations_(StateClock(settings.step), lifecycle()), rest_(with_scope_description(settings.rest)) {
  rest_.add("POST", "/connexion/oauth2/access_token", Guard::open,
            [this](const Request& request) { return token(request); });
  rest_.add("POST", "/partenaire/rechercher-usager/v1/usagers/recherche", Guard::token,
            [this](const Request& request) { return find_user(request); });
  rest_.add("POST", "/partenaire/orientation/v1/orientations", Guard::idempotent,
            [this](const Request& request) { return create(request); });
  rest_.add("GET", "/partenaire/orientation/v1/orientations", Guard::token,
            [this](const Request& request) { return list_changes(request); });
  rest_.add("POST", "/partenaire/orientation/v1/orientations/{id}/annulation", Guard::idempotent,
            [this](const Request& request) { return cancel(request); });
}

FranceTravailSimulator::~FranceTravailSimulator() { stop(); }

Response FranceTravailSimulator::token(const Request& request) {
  auto it = request.query.find("realm");
  if (it == request.query.end() || it->second != realm) return Response::error(400, "invalid_request");
  return rest_.tokens().grant(request.body);
}

Response FranceTravailSimulator::find_user(const Request& request) const {
  for (const char* field : {"nir", "dateNaissance"}) {
    if (is_missing(request.json, field)) return invalid_field(field);
  }
  return Response::json(200, Json{{"identifiant", user_id_for(text_at(request.json, "nir"))}});
}

Response FranceTravailSimulator::create(const Request& request) {
  for (const char* field : {"identifiant", "referenceExterne"}) {
    if (is_missing(request.json, field)) return invalid_field(field);
  }
  const std::string id =
      orientations_.open(orientation_id_for, text_at(request.json, "referenceExterne"));
  log_line(rest_.agency(), "orientation " + id + " TRANSMISE");
  return Response::json(201, Json{{"idOrientation", id}, {"statut", "TRANSMISE"}});
}

Response FranceTravailSimulator::list_changes(const Request& request) const {
  TimePoint cursor{};
  if (auto it = request.query.find("modifieDepuis"); it != request.query.end()) {
    // A client that leaves the '+' of an offset unencoded has it decoded as a space.
    std::string text = it->second;
    std::replace(text.begin(), text.end(), ' ', '+');
    const auto parsed = parse_rfc3339(text);
    if (!parsed) return invalid_field("modifieDepuis");
    cursor = *parsed;
  }
  Json orientations = Json::array();
  for (const CaseView& orientation : orientations_.changed_since(cursor, now_ms(), max_changes_per_page)) {
    orientations.push_back({{"idOrientation", orientation.id},
                            {"referenceExterne", orientation.external_reference},
                            {"statut", orientation.state.state.status},
                            {"motif", motif_or_null(orientation.state.state.motif)},
                            {"dateModification", format_rfc3339(orientation.state.at)}});
  }
  return Response::json(200, Json{{"orientations", orientations}});
}

Response FranceTravailSimulator::cancel(const Request& request) {
  const auto orientation =
      orientations_.withdraw(request.param("id"), text_at(request.json, "motif"), now_ms());
  if (!orientation) return not_found();
  log_line(rest_.agency(), "orientation " + orientation->id + " ANNULEE");
  return Response::json(200, Json{{"idOrientation", orientation->id},
                                  {"statut", orientation->state.state.status}});
}

}  // namespace guichet::sim::france_travail
