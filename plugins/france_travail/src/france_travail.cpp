// France Travail connector: an orientation "Pack nouveau départ", over OAuth2 + REST
// (modelled on francetravail.io: rechercher-usager, then orientation).
#include "orientation.hpp"
#include "statuses.hpp"

#include <guichet/connectors/events.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/rest_client.hpp>
#include <guichet/connectors/url.hpp>
#include <guichet/sdk/connector.hpp>

#include <optional>

namespace guichet::france_travail {

using connectors::object_field;
using connectors::text_field;
using sdk::Json;
using sdk::Outcome;

namespace {

constexpr const char* kAgency = "France Travail";
// The first poll asks for every orientation this partner ever made.
constexpr const char* kFirstCursor = "1970-01-01T00:00:00Z";

connectors::OAuthSettings oauth_settings(const Json& settings) {
  // The realm goes in the token URL's query string, not in the form body.
  return {settings.at("token_url").get<std::string>() + "?realm=" +
              settings.value("realm", std::string("/partenaire")),
          settings.at("client_id").get<std::string>(),
          settings.at("client_secret_name").get<std::string>(),
          settings.at("scope").get<std::string>(), kAgency};
}

}  // namespace

class FranceTravail : public sdk::Connector {
 public:
  FranceTravail(sdk::Host host, Json settings)
      : Connector(host, std::move(settings)),
        api_url_(this->settings().at("api_url").get<std::string>()),
        client_(host, oauth_settings(this->settings()), this->settings().value("timeout_ms", 10000)) {}

  Json render(const Json& dispatch) override {
    const Json& person = object_field(dispatch, "person");
    if (auto problem = identity_problem(person)) {
      return Json{{"requests", Json::array()}, {"info_requested", *problem}};
    }
    Json lookup{{"method", "POST"},
                {"url", api_url_ + "/partenaire/rechercher-usager/v1/usagers/recherche"},
                {"headers", headers()},
                {"body", recherche(person)}};
    Json create{{"method", "POST"},
                {"url", orientations_url()},
                {"headers", headers(dispatch.at("idempotency_key").get<std::string>())},
                {"body", orientation(dispatch, kIdentifiantShown)}};
    return Json{{"requests", Json::array({lookup, create})}};
  }

  Outcome deliver(const Json& dispatch) override {
    std::string request_id = dispatch.at("request_id").get<std::string>();
    Json rendered = render(dispatch);
    if (rendered.contains("info_requested")) {
      host().log(GUICHET_LOG_INFO, "request " + request_id + " held: identity incomplete");
      return Outcome::info_requested(rendered["info_requested"].get<std::string>());
    }
    std::string identifiant;
    Outcome found = client_.submit(request_id, rendered["requests"][0], [&](const sdk::HttpResponse& response) {
      identifiant = text_field(response.json(), "identifiant").value_or("");
      return identifiant.empty() ? Outcome::retry("France Travail look-up answered without identifier")
                                 : Outcome::sent();
    });
    if (identifiant.empty()) return found;

    Json create = rendered["requests"][1];
    create["body"]["identifiant"] = identifiant;
    return client_.submit(request_id, create, [&](const sdk::HttpResponse& response) {
      auto reference = text_field(response.json(), "idOrientation");
      if (!reference) return Outcome::sent();
      host().log(GUICHET_LOG_DEBUG, "request " + request_id + " acknowledged as " + *reference);
      return Outcome::acknowledged(*reference);
    });
  }

  Outcome withdraw(const Json& dispatch) override {
    auto reference = text_field(dispatch, "agency_reference");
    // Never acknowledged: France Travail holds no orientation to cancel.
    if (!reference) return Outcome::sent();
    Json request{{"method", "POST"},
                 {"url", orientations_url() + "/" + connectors::percent_encode(*reference) + "/annulation"},
                 {"headers", headers(dispatch.at("idempotency_key").get<std::string>())},
                 {"body", Json::object()}};
    return client_.submit(dispatch.at("request_id").get<std::string>(), request,
                          [&](const sdk::HttpResponse&) { return Outcome::acknowledged(*reference); });
  }

  // Orientations changed strictly after the cursor (the last dateModification seen), oldest first.
  // Only those of open requests become events, and only when their state changed.
  Json poll(const Json& query) override {
    std::string cursor = query.contains("cursor") && query["cursor"].is_string()
                             ? query["cursor"].get<std::string>()
                             : kFirstCursor;
    Json rendered{{"method", "GET"},
                  {"url", orientations_url() + "?modifieDepuis=" + connectors::percent_encode(cursor)},
                  {"headers", headers()},
                  {"body", ""}};
    sdk::HttpResponse response = client_.send(connectors::to_http_request(rendered));
    if (!connectors::is_success(response.status)) {
      throw std::runtime_error(connectors::failure_outcome(response, kAgency).message);
    }
    const Json open = query.value("open", Json::array());
    Json events = Json::array();
    Json answer = response.json();
    Json orientations = answer.is_object() ? answer.value("orientations", Json::array()) : Json::array();
    for (const auto& item : orientations) {
      auto reference = text_field(item, "idOrientation");
      auto changed_at = text_field(item, "dateModification");
      if (!reference || !changed_at) continue;
      cursor = *changed_at;
      const Json* request = find_open(open, *reference, text_field(item, "referenceExterne"));
      auto state = hub_state(text_field(item, "statut").value_or(""));
      if (!request || !state || *state == request->value("state", std::string())) continue;
      connectors::StatusEvent event{text_field(*request, "request_id"), *reference, *state,
                                    text_field(item, "motif"), *changed_at};
      events.push_back(event.to_json());
    }
    return Json{{"events", events}, {"cursor", cursor}};
  }

 private:
  Json headers(const std::string& idempotency_key = "") const {
    Json headers{{"Authorization", connectors::kBearerShown},
                 {"Content-Type", "application/json"},
                 {"Accept", "application/json"}};
    if (!idempotency_key.empty()) headers["Idempotency-Key"] = idempotency_key;
    return headers;
  }

  // The open request an orientation belongs to: by our reference, or by the request id we sent as
  // referenceExterne when the acknowledgement has not been recorded yet.
  static const Json* find_open(const Json& open, const std::string& reference,
                               const std::optional<std::string>& request_id) {
    for (const auto& request : open) {
      if (text_field(request, "agency_reference") == reference) return &request;
      if (request_id && text_field(request, "request_id") == request_id) return &request;
    }
    return nullptr;
  }

  std::string orientations_url() const { return api_url_ + "/partenaire/orientation/v1/orientations"; }

  std::string api_url_;
  connectors::RestClient client_;
};

}  // namespace guichet::france_travail

GUICHET_CONNECTOR(guichet::france_travail::FranceTravail, "france_travail", "1.0.0")
