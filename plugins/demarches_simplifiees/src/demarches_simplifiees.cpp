// Démarches Simplifiées connector: a department's local form run on DS. Delivery creates a
// prefilled dossier through DS's public prefill API (the champs come from the instance's mapping);
// its number is the agency reference and its URL, where the dossier is completed and deposited,
// goes to the référent. Statuses are read through the GraphQL API, by démarche, changed since the
// last poll. DS's webhook is unsigned and never retried, so it is only a hint to poll now: its
// "state" is never believed. Protocol: docs/agencies.md and docs/partners.md.
#include "graphql.hpp"

#include <guichet/connectors/body_mapping.hpp>
#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/declared_fields.hpp>
#include <guichet/connectors/events.hpp>
#include <guichet/connectors/failure.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/rest_client.hpp>
#include <guichet/sdk/connector.hpp>

#include <map>
#include <sstream>

namespace guichet::demarches_simplifiees {

using connectors::text_field;
using sdk::Json;
using sdk::Outcome;

namespace {

constexpr const char* kAgency = "Démarches Simplifiées";
// Pages read in one poll; the rest is read at the next one, from where this one stopped.
constexpr int kMaxPages = 20;

std::string percent_decoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::istringstream pairs(body);
  std::string pair;
  while (std::getline(pairs, pair, '&')) {
    std::size_t equals = pair.find('=');
    if (equals == std::string::npos) continue;
    try {
      fields[percent_decoded(pair.substr(0, equals))] = percent_decoded(pair.substr(equals + 1));
    } catch (const std::exception&) {
      continue;  // a malformed escape: that field is unreadable, the others may not be
    }
  }
  return fields;
}

}  // namespace

class DemarchesSimplifiees : public sdk::Connector {
 public:
  DemarchesSimplifiees(sdk::Host host, Json settings)
      : Connector(host, std::move(settings)),
        fields_(connectors::DeclaredFields::from_settings(this->settings())),
        champs_(this->settings().at("champs"), fields_),
        api_url_(this->settings().at("api_url").get<std::string>()),
        demarche_(this->settings().at("demarche").get<int>()),
        token_secret_name_(this->settings().at("token_secret_name").get<std::string>()),
        timeout_ms_(this->settings().value("timeout_ms", 10000)) {}

  Json render(const Json& dispatch) override {
    Json request{{"method", "POST"},
                 {"url", api_url_ + "/api/public/v1/demarches/" + std::to_string(demarche_) + "/dossiers"},
                 {"headers",
                  {{"Content-Type", "application/json"},
                   {"Accept", "application/json"},
                   {"Idempotency-Key", dispatch.at("idempotency_key").get<std::string>()}}},
                 {"body", champs_.apply(fields_.view(dispatch))}};
    return Json{{"requests", Json::array({request})}};
  }

  // The prefill API needs no credential: a prefilled dossier is an ownerless draft until someone
  // signs in to deposit it.
  Outcome deliver(const Json& dispatch) override {
    std::string request_id = dispatch.at("request_id").get<std::string>();
    sdk::HttpRequest request = connectors::to_http_request(render(dispatch)["requests"][0]);
    request.timeout_ms = timeout_ms_;
    sdk::HttpResponse response;
    try {
      response = host().http(request);
    } catch (const sdk::HostError& e) {
      std::string message = std::string(kAgency) + " unreachable: " + e.what();
      return e.transient() ? Outcome::retry(message) : Outcome::config_error(message);
    }
    if (!connectors::is_success(response.status)) {
      Outcome outcome = sdk::classify_http_failure(response, kAgency);
      host().log(GUICHET_LOG_WARNING, "request " + request_id + ": " + outcome.message);
      return outcome;
    }
    Json answer = response.json();
    Json number = answer.is_object() ? answer.value("dossier_number", Json()) : Json();
    if (!number.is_number_integer()) return Outcome::retry(std::string(kAgency) + " answered without a dossier number");
    Outcome outcome = Outcome::acknowledged(std::to_string(number.get<int64_t>()));
    if (auto url = text_field(answer, "dossier_url")) outcome.message = "Dossier prérempli à compléter et déposer : " + *url;
    host().log(GUICHET_LOG_INFO, "request " + request_id + " prefilled as dossier " + outcome.agency_reference);
    return outcome;
  }

  // Cursor {"since": newest dateDerniereModification seen, "after": page cursor while a long list
  // is read over several polls}. A root error fails the poll: the cursor does not move.
  Json poll(const Json& query) override {
    Json cursor = query.value("cursor", Json());
    std::optional<std::string> since = cursor.is_object() ? text_field(cursor, "since") : std::nullopt;
    std::optional<std::string> after = cursor.is_object() ? text_field(cursor, "after") : std::nullopt;

    std::map<std::string, Json> open;  // agency reference -> open request
    for (const auto& request : query.value("open", Json::array())) {
      if (auto reference = text_field(request, "agency_reference")) open[*reference] = request;
    }
    Json events = Json::array();
    std::optional<std::string> newest = since;
    std::string token = host().secret(token_secret_name_);
    for (int page_number = 0; page_number < kMaxPages; ++page_number) {
      DossiersPage page = read_page(graphql(dossiers_query(demarche_, since, after), token));
      for (const Dossier& dossier : page.dossiers) {
        if (!newest || dossier.updated_at > *newest) newest = dossier.updated_at;
        auto request = open.find(dossier.number);
        auto state = hub_state(dossier.state);
        if (request == open.end() || !state || *state == request->second.value("state", std::string())) continue;
        connectors::StatusEvent event;
        event.request_id = text_field(request->second, "request_id");
        event.agency_reference = dossier.number;
        event.state = *state;
        if (dossier.state == "refuse" || dossier.state == "sans_suite") event.message = dossier.motivation;
        event.at = dossier.updated_at.empty() ? connectors::format_rfc3339(host().now()) : dossier.updated_at;
        events.push_back(event.to_json());
      }
      if (!page.has_next_page || !page.end_cursor) {
        Json next = Json::object();
        if (newest) next["since"] = *newest;
        return Json{{"events", events}, {"cursor", next}};
      }
      after = page.end_cursor;
    }
    Json next{{"after", *after}};
    if (since) next["since"] = *since;
    return Json{{"events", events}, {"cursor", next}};
  }

  // DS's webhook: form-encoded procedure_id, dossier_id, state, updated_at, with no signature. It
  // proves nothing, so it carries no event; a call about this démarche asks the hub to poll now.
  Json on_inbound(const Json& call) override {
    auto fields = form_fields(call.value("body", std::string()));
    bool ours = fields["procedure_id"] == std::to_string(demarche_);
    if (!ours) host().log(GUICHET_LOG_WARNING, "Démarches Simplifiées webhook about another démarche refused");
    return Json{{"authentic", ours}, {"events", Json::array()}, {"poll_now", ours}};
  }

 private:
  Json graphql(const Json& body, const std::string& token) const {
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = api_url_ + "/api/v2/graphql";
    request.headers = {{"Authorization", "Bearer " + token},
                       {"Content-Type", "application/json"},
                       {"Accept", "application/json"}};
    request.body = sdk::to_text(body);
    request.timeout_ms = timeout_ms_;
    sdk::HttpResponse response = host().http(request);
    if (!connectors::is_success(response.status)) {
      throw std::runtime_error(sdk::classify_http_failure(response, kAgency).message);
    }
    return response.json();
  }

  connectors::DeclaredFields fields_;
  connectors::BodyMapping champs_;
  std::string api_url_;
  int demarche_;
  std::string token_secret_name_;
  int timeout_ms_;
};

}  // namespace guichet::demarches_simplifiees

GUICHET_CONNECTOR(guichet::demarches_simplifiees::DemarchesSimplifiees, "demarches_simplifiees", "1.0.0")
