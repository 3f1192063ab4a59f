// Maison des femmes de Cergy: asks for a first support appointment through the association's small
// REST API (POST /v1/rendez-vous, X-Api-Key), which answers 201 {"dossier": "MDF-..."}.
//
// The association only needs to know how to reach the person safely: her given names, the one
// contact channel she chose, and the languages she speaks. Nothing else is declared, so nothing
// else ever reaches this code.
#include <guichet/sdk/connector.hpp>

namespace {

using guichet::sdk::HostError;
using guichet::sdk::HttpRequest;
using guichet::sdk::HttpResponse;
using guichet::sdk::Json;
using guichet::sdk::Outcome;

constexpr const char* kAgency = "Maison des femmes";

// The channel the association uses to reach the person: only the one she said is safe, and through
// the référent when she chose none the association can use.
Json contact(const Json& person, const std::string& safe_channel) {
  if (safe_channel == "phone" && person.contains("phone")) return {{"canal", "telephone"}, {"telephone", person["phone"]}};
  if (safe_channel == "email" && person.contains("email")) return {{"canal", "courriel"}, {"courriel", person["email"]}};
  return {{"canal", "referent"}};
}

class MaisonDesFemmes : public guichet::sdk::Connector {
 public:
  MaisonDesFemmes(guichet::sdk::Host host, Json settings)
      : Connector(host, std::move(settings)), api_url_(this->settings().at("api_url").get<std::string>()) {}

  Json render(const Json& dispatch) override {
    const Json& person = dispatch.at("person");
    const Json& referent = dispatch.at("referent");
    Json body{{"referenceGuichet", dispatch.at("request_id")},
              {"prenoms", person.value("given_names", Json::array())},
              {"langues", person.value("languages", Json::array())},
              {"contact", contact(person, dispatch.at("situation").value("safe_channel", ""))},
              {"prescripteur", {{"referent", referent.at("id")}, {"departement", referent.at("department")}}}};
    Json request{{"method", "POST"},
                 {"url", api_url_ + "/v1/rendez-vous"},
                 {"headers", {{"Content-Type", "application/json"},
                              {"Idempotency-Key", dispatch.at("idempotency_key")},
                              {"X-Api-Key", "<api key>"}}},
                 {"body", body}};
    return Json{{"requests", Json::array({request})}};
  }

  Outcome deliver(const Json& dispatch) override {
    Json rendered = render(dispatch)["requests"][0];
    HttpRequest request;
    request.method = "POST";
    request.url = rendered["url"].get<std::string>();
    request.headers = rendered["headers"].get<std::map<std::string, std::string>>();
    request.body = rendered["body"].dump();
    request.timeout_ms = settings().value("timeout_ms", 10000);
    HttpResponse response;
    try {
      request.headers["X-Api-Key"] = host().secret(settings().at("api_key_name").get<std::string>());
      response = host().http(request);
    } catch (const HostError& e) {
      std::string message = std::string(kAgency) + " unreachable: " + e.what();
      return e.transient() ? Outcome::retry(message) : Outcome::config_error(message);
    }
    if (response.status < 200 || response.status >= 300) return guichet::sdk::classify_http_failure(response, kAgency);
    Json answer = response.json();
    if (answer.is_object() && answer.contains("dossier") && answer["dossier"].is_string()) {
      std::string dossier = answer["dossier"].get<std::string>();
      host().log(GUICHET_LOG_INFO, "request " + dispatch.at("request_id").get<std::string>() + " is dossier " + dossier);
      return Outcome::acknowledged(dossier);
    }
    return Outcome::sent();
  }

 private:
  std::string api_url_;
};

}  // namespace

GUICHET_CONNECTOR(MaisonDesFemmes, "maison_des_femmes", "1.0.0")
