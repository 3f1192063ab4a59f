#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/mail.hpp>
#include <guichet/connectors/mail_connector.hpp>
#include <guichet/connectors/mail_reply.hpp>

namespace guichet::connectors {

MailConnector::MailConnector(sdk::Host host, sdk::Json settings, std::string agency)
    : Connector(host, std::move(settings)),
      agency_(std::move(agency)),
      to_(this->settings().at("to").get<std::string>()) {}

std::optional<std::string> MailConnector::problem(const sdk::Json&) const { return std::nullopt; }

sdk::Json MailConnector::render(const sdk::Json& dispatch) {
  if (auto missing = problem(dispatch)) {
    return sdk::Json{{"mails", sdk::Json::array()}, {"info_requested", *missing}};
  }
  return sdk::Json{{"mails", sdk::Json::array({mail(dispatch)})}};
}

sdk::Outcome MailConnector::deliver(const sdk::Json& dispatch) {
  sdk::Json rendered = render(dispatch);
  if (rendered.contains("info_requested")) {
    return sdk::Outcome::info_requested(rendered["info_requested"].get<std::string>());
  }
  return send_mail(host(), rendered["mails"][0], agency_, dispatch);
}

sdk::Outcome MailConnector::withdraw(const sdk::Json& dispatch) {
  return send_mail(host(), withdrawal_mail(dispatch, to_), agency_, dispatch);
}

sdk::Outcome MailConnector::answer(const sdk::Json& dispatch) {
  return send_mail(host(), answer_mail(dispatch, to_), agency_, dispatch);
}

sdk::Json MailConnector::on_email(const sdk::Json& email) {
  return classify_reply(email, format_rfc3339(host().now()));
}

}  // namespace guichet::connectors
