// CAF connector: the aide universelle d'urgence (AUU), over the CAF's OAuth2 + REST API.
#include "demande.hpp"
#include "proof.hpp"
#include "statuses.hpp"

#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/hmac.hpp>
#include <guichet/connectors/rest_client.hpp>
#include <guichet/connectors/url.hpp>
#include <guichet/sdk/connector.hpp>

namespace guichet::caf {

using connectors::object_field;
using connectors::text_field;
using sdk::Json;
using sdk::Outcome;

namespace {

constexpr const char* kAgency = "CAF";
// A fixed reason, never the référent's free text, which may tell why the victim gave up.
constexpr const char* kWithdrawalReason = "Demande retirée par le référent Pack nouveau départ";

connectors::OAuthSettings oauth_settings(const Json& settings) {
  return {settings.at("token_url").get<std::string>(), settings.at("client_id").get<std::string>(),
          settings.at("client_secret_name").get<std::string>(),
          settings.at("scope").get<std::string>(), kAgency};
}

}  // namespace

class Caf : public sdk::Connector {
 public:
  Caf(sdk::Host host, Json settings)
      : Connector(host, std::move(settings)),
        api_url_(this->settings().at("api_url").get<std::string>()),
        client_(host, oauth_settings(this->settings()), this->settings().value("timeout_ms", 10000)) {}

  Json render(const Json& dispatch) override {
    // The proof's age needs the host clock, which render must not call: deliver checks it.
    if (auto problem = proof_kind_problem(object_field(dispatch, "situation"))) {
      return Json{{"requests", Json::array()}, {"info_requested", *problem}};
    }
    Json request{{"method", "POST"},
                 {"url", api_url_ + "/api/v1/demandes"},
                 {"headers", headers(dispatch.at("idempotency_key").get<std::string>())},
                 {"body", demande(dispatch)}};
    return Json{{"requests", Json::array({request})}};
  }

  Outcome deliver(const Json& dispatch) override {
    std::string request_id = dispatch.at("request_id").get<std::string>();
    auto today = connectors::utc_day(host().now());
    if (auto problem = proof_problem(object_field(dispatch, "situation"), today)) {
      host().log(GUICHET_LOG_INFO, "request " + request_id + " held: AUU proof missing or too old");
      return Outcome::info_requested(*problem);
    }
    Json rendered = render(dispatch);
    return client_.submit(request_id, rendered["requests"][0], [&](const sdk::HttpResponse& response) {
      auto reference = text_field(response.json(), "reference");
      if (!reference) return Outcome::sent();
      host().log(GUICHET_LOG_DEBUG, "request " + request_id + " acknowledged as " + *reference);
      return Outcome::acknowledged(*reference);
    });
  }

  Outcome withdraw(const Json& dispatch) override {
    auto reference = text_field(dispatch, "agency_reference");
    // Never acknowledged: the CAF holds nothing under a reference to withdraw.
    if (!reference) return Outcome::sent();
    Json request{{"method", "POST"},
                 {"url", demande_url(*reference) + "/retrait"},
                 {"headers", headers(dispatch.at("idempotency_key").get<std::string>())},
                 {"body", {{"motif", kWithdrawalReason}}}};
    return client_.submit(dispatch.at("request_id").get<std::string>(), request,
                          [&](const sdk::HttpResponse&) { return Outcome::acknowledged(*reference); });
  }

  // A missing piece ("piece_manquante") is answered on the demande itself; the CAF resumes its
  // examination (en_instruction), which its webhook and the poll then report.
  Outcome answer(const Json& dispatch) override {
    std::string request_id = dispatch.at("request_id").get<std::string>();
    auto reference = text_field(dispatch, "agency_reference");
    if (!reference) return Outcome::data_error("CAF answer for request " + request_id + " without a CAF reference");
    const Json& answer = dispatch.at("answer");
    Json request{{"method", "POST"},
                 {"url", demande_url(*reference) + "/complements"},
                 {"headers", headers(answer.at("idempotency_key").get<std::string>())},
                 {"body", {{"texte", answer.at("text")}}}};
    return client_.submit(request_id, request, [&](const sdk::HttpResponse&) { return Outcome::acknowledged(*reference); });
  }

  // The CAF has no change feed: each open request with a reference is read again, and only a
  // state other than the hub's becomes an event. The cursor is not used.
  Json poll(const Json& query) override {
    Json events = Json::array();
    std::string now = connectors::format_rfc3339(host().now());
    for (const auto& open : query.value("open", Json::array())) {
      auto reference = text_field(open, "agency_reference");
      if (!reference) continue;
      Json rendered{{"method", "GET"},
                    {"url", demande_url(*reference)},
                    {"headers", {{"Authorization", connectors::kBearerShown}, {"Accept", "application/json"}}},
                    {"body", ""}};
      sdk::HttpResponse response = client_.send(connectors::to_http_request(rendered));
      std::string request_id = text_field(open, "request_id").value_or(*reference);
      if (!connectors::is_success(response.status)) {
        host().log(GUICHET_LOG_WARNING, "poll of request " + request_id + ": " +
                                            connectors::failure_outcome(response, kAgency).message);
        continue;
      }
      auto event = status_event(response.json(), now);
      if (!event) {
        host().log(GUICHET_LOG_WARNING, "poll of request " + request_id + ": unknown CAF status");
        continue;
      }
      if (event->state == open.value("state", std::string())) continue;
      event->request_id = text_field(open, "request_id");
      events.push_back(event->to_json());
    }
    return Json{{"events", events}, {"cursor", query.value("cursor", Json())}};
  }

  Json on_inbound(const Json& call) override {
    std::string body = call.value("body", std::string());
    std::string secret = host().secret(settings().at("webhook_secret_name").get<std::string>());
    std::string expected = "sha256=" + connectors::hmac_sha256_hex(secret, body);
    auto signature = text_field(object_field(call, "headers"), "x-caf-signature");
    if (!signature || !connectors::equal_constant_time(expected, *signature)) {
      host().log(GUICHET_LOG_WARNING, "CAF webhook call refused: bad or missing signature");
      return Json{{"authentic", false}, {"events", Json::array()}};
    }
    Json events = Json::array();
    auto event = status_event(Json::parse(body, nullptr, false), connectors::format_rfc3339(host().now()));
    if (event) {
      events.push_back(event->to_json());
    } else {
      host().log(GUICHET_LOG_WARNING, "CAF webhook call without a known status ignored");
    }
    return Json{{"authentic", true}, {"events", events}};
  }

 private:
  Json headers(const std::string& idempotency_key) const {
    return Json{{"Authorization", connectors::kBearerShown},
                {"Content-Type", "application/json"},
                {"Accept", "application/json"},
                {"Idempotency-Key", idempotency_key}};
  }

  std::string demande_url(const std::string& reference) const {
    return api_url_ + "/api/v1/demandes/" + connectors::percent_encode(reference);
  }

  std::string api_url_;
  connectors::RestClient client_;
};

}  // namespace guichet::caf

GUICHET_CONNECTOR(guichet::caf::Caf, "caf", "1.0.0")
