#include "caf/caf_simulator.hpp"

#include "common/json_fields.hpp"
#include "common/log.hpp"

#include <algorithm>
#include <cstdio>

namespace guichet::sim::caf {
namespace {

const char* const required_fields[] = {"typeDemande", "demandeur.nomNaissance", "demandeur.prenoms",
                                       "demandeur.dateNaissance", "justificatif"};

CaseLifecycle lifecycle() {
  return {{{"recue", ""}, {"en_instruction", ""}, {"accordee", ""}},
          {{"recue", ""},
           {"en_instruction", ""},
           {"refusee", "Les conditions d'attribution de l'aide ne sont pas remplies"}},
          "retiree",
          {{"recue", ""},
           {"en_instruction", ""},
           {"piece_manquante", "Merci de transmettre la date et le numéro du récépissé du signalement au procureur"}},
          {{"en_instruction", ""}, {"accordee", ""}}};
}

// CAF references carry the département of the contact address ("95" for 95300, "971" overseas);
// "00" when the address is withheld.
std::string department_of(const nlohmann::json& body) {
  const std::string postcode = text_at(body, "demandeur.adresseContact.codePostal");
  if (postcode.size() < 2) return "00";
  const bool overseas = postcode.rfind("97", 0) == 0 || postcode.rfind("98", 0) == 0;
  return postcode.substr(0, overseas && postcode.size() >= 3 ? 3 : 2);
}

std::string reference_for(const std::string& department, int sequence) {
  char number[16];
  std::snprintf(number, sizeof number, "%06d", sequence);
  return "AUU-" + department + "-" + number;
}

Response not_found() { return Response::error(404, "not_found"); }

std::chrono::milliseconds notify_period(std::chrono::milliseconds step) {
  return std::clamp(step / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(200));
}

}  // namespace

CafSimulator::CafSimulator(const CafSettings& settings)
    : settings_(settings), demandes_(StateClock(settings.step), lifecycle()), rest_(settings.rest) {
  if (!settings_.webhook_url.empty()) {
    webhook_ = std::make_unique<WebhookSender>(settings_.webhook_url, settings_.webhook_secret,
                                               "X-Caf-Signature", rest_.agency());
  }
  rest_.add("POST", "/oauth2/token", Guard::open,
            [this](const Request& request) { return rest_.tokens().grant(request.body); });
  rest_.add("POST", "/api/v1/demandes", Guard::idempotent,
            [this](const Request& request) { return create(request); });
  rest_.add("GET", "/api/v1/demandes/{reference}", Guard::token,
            [this](const Request& request) { return status(request); });
  rest_.add("POST", "/api/v1/demandes/{reference}/retrait", Guard::idempotent,
            [this](const Request& request) { return withdraw(request); });
  rest_.add("POST", "/api/v1/demandes/{reference}/complements", Guard::idempotent,
            [this](const Request& request) { return complete(request); });
}

CafSimulator::~CafSimulator() { stop(); }

void CafSimulator::start() {
  rest_.start();
  if (webhook_) {
    notifier_ = std::make_unique<PeriodicTask>(notify_period(settings_.step), [this] { notify_changes(); });
  }
}

void CafSimulator::stop() {
  rest_.stop();
  notifier_.reset();
}

Response CafSimulator::create(const Request& request) {
  for (const char* field : required_fields) {
    if (is_missing(request.json, field)) return invalid_field(field);
  }
  const std::string department = department_of(request.json);
  // A report to the prosecutor alone does not say when the victim complained: the CAF asks.
  const bool ask = text_at(request.json, "justificatif.type") == "signalement_procureur";
  const std::string reference = demandes_.open(
      [&](int sequence) { return reference_for(department, sequence); },
      text_at(request.json, "referenceExterne"), ask);
  log_line(rest_.agency(), "demande " + reference + " recue");
  return Response::json(201, Json{{"reference", reference}, {"statut", "recue"}});
}

Response CafSimulator::status(const Request& request) const {
  const auto demande = demandes_.find(request.param("reference"), now_ms());
  if (!demande) return not_found();
  return Response::json(200, Json{{"reference", demande->id},
                                  {"statut", demande->state.state.status},
                                  {"motif", motif_or_null(demande->state.state.motif)},
                                  {"dateMaj", format_rfc3339(demande->state.at)}});
}

Response CafSimulator::withdraw(const Request& request) {
  const auto demande =
      demandes_.withdraw(request.param("reference"), text_at(request.json, "motif"), now_ms());
  if (!demande) return not_found();
  log_line(rest_.agency(), "demande " + demande->id + " retiree");
  return Response::json(200, Json{{"reference", demande->id}, {"statut", demande->state.state.status}});
}

Response CafSimulator::complete(const Request& request) {
  if (is_missing(request.json, "texte") || !request.json["texte"].is_string()) return invalid_field("texte");
  const auto taken = demandes_.answer(request.param("reference"), now_ms());
  if (!taken) return not_found();
  if (!*taken) return Response::error(409, "aucune_piece_attendue");
  log_line(rest_.agency(), "demande " + request.param("reference") + " complement recu");
  const auto demande = demandes_.find(request.param("reference"), now_ms());
  return Response::json(200, Json{{"reference", demande->id}, {"statut", demande->state.state.status}});
}

void CafSimulator::notify_changes() {
  for (const CaseView& change : demandes_.take_unreported_changes(now_ms())) {
    const Json event{{"evenement", "changement_statut"},
                     {"reference", change.id},
                     {"referenceExterne", change.external_reference},
                     {"statut", change.state.state.status},
                     {"motif", motif_or_null(change.state.state.motif)},
                     {"dateMaj", format_rfc3339(change.state.at)}};
    webhook_->send(change.id + " " + change.state.state.status,
                   event.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
}

}  // namespace guichet::sim::caf
