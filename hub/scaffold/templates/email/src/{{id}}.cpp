// {{id}}: writes the request for the {{need}} need as an e-mail to the agency's address, sent by the
// hub's mail service. Replace the sample text in render() with what the agency asks for.
#include <guichet/sdk/connector.hpp>

namespace {

using guichet::sdk::HostError;
using guichet::sdk::Json;
using guichet::sdk::Outcome;

constexpr const char* kAgency = "{{id}}";

std::string joined(const Json& names) {
  std::string text;
  for (const Json& name : names) text += (text.empty() ? "" : " ") + name.get<std::string>();
  return text;
}

class {{Class}} : public guichet::sdk::Connector {
 public:
  {{Class}}(guichet::sdk::Host host, Json settings)
      : Connector(host, std::move(settings)), to_(this->settings().at("to").get<std::string>()) {}

  // The message, from the dispatch alone: no host call. Only declared fields are read. The hub
  // derives Message-ID from the idempotency key and Reply-To from the correlation, so the agency's
  // answer finds its request.
  Json render(const Json& dispatch) override {
    const Json& person = dispatch.at("person");
    std::string correlation = dispatch.at("correlation").get<std::string>();
    std::string text = "Bonjour,\n\nUn référent du Pack nouveau départ vous adresse une demande.\n\n";
    text += "Prénoms : " + joined(person.value("given_names", Json::array())) + "\n";
    if (person.contains("birth_name")) text += "Nom de naissance : " + person["birth_name"].get<std::string>() + "\n";
    text += "\nPour répondre, gardez la référence [" + correlation + "] dans l'objet.\n";
    Json mail{{"to", Json::array({to_})},
              {"subject", "[" + correlation + "] Demande — Pack nouveau départ"},
              {"text", text},
              {"idempotency_key", dispatch.at("idempotency_key")},
              {"correlation", correlation}};
    return Json{{"mails", Json::array({mail})}};
  }

  // A mail refused for now (server busy) is retried; refused for good (unknown mailbox) means the
  // instance's address is wrong, which only the department can fix.
  Outcome deliver(const Json& dispatch) override {
    try {
      host().send_mail(render(dispatch)["mails"][0]);
    } catch (const HostError& e) {
      std::string message = std::string(kAgency) + " mail refused: " + e.what();
      return e.transient() ? Outcome::retry(message) : Outcome::config_error(message);
    }
    return Outcome::sent();
  }

 private:
  std::string to_;
};

}  // namespace

GUICHET_CONNECTOR({{Class}}, "{{id}}", "0.1.0")
