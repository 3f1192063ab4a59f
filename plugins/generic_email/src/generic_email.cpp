// Generic e-mail connector: a local partner that reads e-mail (a CIDFF, an association), described
// entirely by its instance's settings: who to write to, the subject and body templates, an
// optional JSON attachment, and how to read the answers. See docs/partners.md.
#include "mail_template.hpp"
#include "reply_rules.hpp"

#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/declared_fields.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/mail.hpp>
#include <guichet/sdk/connector.hpp>

#include <algorithm>

namespace guichet::generic_email {

using connectors::text_field;
using sdk::Json;
using sdk::Outcome;

namespace {

constexpr const char* kAgency = "partner";

// Settings give a body as one string or as an array of lines, easier to read in a JSON file.
std::string text_of(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string text;
  for (const Json& line : value) text += line.get<std::string>() + "\n";
  return text;
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\r', ' ');
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

class GenericEmail : public sdk::Connector {
 public:
  GenericEmail(sdk::Host host, Json settings)
      : Connector(host, std::move(settings)),
        fields_(connectors::DeclaredFields::from_settings(this->settings())),
        to_(this->settings().at("to").get<std::string>()),
        subject_(this->settings().at("subject").get<std::string>(), fields_, "subject"),
        body_(text_of(this->settings().at("body")), fields_, "body"),
        attachment_(this->settings().value("attachment", std::string())),
        replies_(this->settings().value("replies", Json::array())) {}

  // {"mails":[message]}: what deliver hands the host's send_mail.
  Json render(const Json& dispatch) override {
    Json view = fields_.view(dispatch);
    Json attachments = Json::array();
    if (!attachment_.empty()) {
      Json form{{"reference", dispatch.at("request_id")},
                {"correlation", text_field(dispatch, "correlation").value_or("")},
                {"need", dispatch.value("need", Json::object())},
                {"person", view["person"]},
                {"situation", view["situation"]},
                {"contact", view["contact"]}};
      attachments.push_back({{"filename", attachment_}, {"content_type", "application/json"}, {"content", form.dump(2)}});
    }
    Json mail{{"to", Json::array({to_})},
              {"subject", one_line(connectors::mail_subject(dispatch, subject_.render(view, true)))},
              {"text", body_.render(view, false)},
              {"idempotency_key", dispatch.at("idempotency_key").get<std::string>()},
              {"correlation", text_field(dispatch, "correlation").value_or("")},
              {"attachments", attachments}};
    return Json{{"mails", Json::array({mail})}};
  }

  Outcome deliver(const Json& dispatch) override {
    return connectors::send_mail(host(), render(dispatch)["mails"][0], kAgency, dispatch);
  }

  // A short notice carrying references only.
  Outcome withdraw(const Json& dispatch) override {
    return connectors::send_mail(host(), connectors::withdrawal_mail(dispatch, to_), kAgency, dispatch);
  }

  Outcome answer(const Json& dispatch) override {
    return connectors::send_mail(host(), connectors::answer_mail(dispatch, to_), kAgency, dispatch);
  }

  Json on_email(const Json& email) override {
    return replies_.read(email, connectors::format_rfc3339(host().now()));
  }

 private:
  connectors::DeclaredFields fields_;
  std::string to_;
  MailTemplate subject_, body_;
  std::string attachment_;
  ReplyRules replies_;
};

}  // namespace guichet::generic_email

GUICHET_CONNECTOR(guichet::generic_email::GenericEmail, "generic_email", "1.0.0")
