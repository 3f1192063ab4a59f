// Base of the connectors whose agency reads email: a subclass writes the message for a dispatch;
// rendering, delivery, withdrawal, answering and reading the agency's replies are the same for all of them.
#ifndef GUICHET_CONNECTORS_MAIL_CONNECTOR_HPP
#define GUICHET_CONNECTORS_MAIL_CONNECTOR_HPP

#include <guichet/sdk/connector.hpp>

#include <optional>
#include <string>

namespace guichet::connectors {

class MailConnector : public sdk::Connector {
 public:
  // `agency` names the recipient in messages, e.g. "SIAO"; settings hold the address in "to".
  MailConnector(sdk::Host host, sdk::Json settings, std::string agency);

  // {"mails":[message]}, or {"mails":[],"info_requested":"..."} when the référent must act first.
  sdk::Json render(const sdk::Json& dispatch) final;
  sdk::Outcome deliver(const sdk::Json& dispatch) final;
  // A short notice carrying references only, so the agency stops without learning anything more.
  sdk::Outcome withdraw(const sdk::Json& dispatch) final;
  // The référent's answer to the agency's question, as a mail in the request's thread.
  sdk::Outcome answer(const sdk::Json& dispatch) final;
  // The agency's reply, read by French keyword rules (see mail_reply.hpp).
  sdk::Json on_email(const sdk::Json& email) final;

 protected:
  // The send_mail message for a dispatch (see make_mail).
  virtual sdk::Json mail(const sdk::Json& dispatch) const = 0;
  // What the référent must provide before anything can be sent; nothing by default.
  virtual std::optional<std::string> problem(const sdk::Json& dispatch) const;

  const std::string& to() const { return to_; }

 private:
  std::string agency_;
  std::string to_;
};

}  // namespace guichet::connectors

#endif
