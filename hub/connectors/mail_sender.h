// The mail behind the `send_mail` host service: checks a plugin's message, renders it as one
// RFC 5322 message, and submits it over SMTP.
//
// Header injection: every value that lands in a header (to, subject, filenames, content types,
// correlation, idempotency key) is refused when it holds CR, LF, NUL, U+0085, U+2028, U+2029 or any
// other control character; errors name the field, never the value.
#ifndef GUICHET_HUB_CONNECTORS_MAIL_SENDER_H
#define GUICHET_HUB_CONNECTORS_MAIL_SENDER_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace guichet::connectors {

using Json = nlohmann::json;

struct MailSettings {
  std::string smtp_host = "127.0.0.1";
  int smtp_port = 2525;
  std::string from = "guichet@guichet.local";
  std::string mailbox = "guichet@guichet.local";  // Reply-To: local+<correlation>@domain
  bool starttls = false;
  std::string username, password_secret;  // AUTH LOGIN after STARTTLS, when username is set
  int timeout_ms = 10000;
};

// The message was refused (by us or by the server) or could not be submitted.
struct MailFailure : std::runtime_error {
  MailFailure(const std::string& message, bool transient_)
      : std::runtime_error(message), transient(transient_) {}
  bool transient;
};

// The full message for `message` (the send_mail JSON) as it would be submitted:
//   From: settings.from            To: the "to" addresses        Subject: encoded when not ASCII
//   Message-ID: <idempotency_key@domain of mailbox>
//   Reply-To: <local of mailbox>+<correlation>@<domain of mailbox>
//   Date: now_ms                   a UTF-8 quoted-printable text, attachments in base64
// Throws MailFailure (not transient) naming the first field that cannot be used.
std::string render_mail(const MailSettings& settings, const Json& message, int64_t now_ms);

class MailSender {
 public:
  // `secret` resolves settings.password_secret when the server asks for authentication.
  MailSender(MailSettings settings, std::function<std::optional<std::string>(const std::string&)> secret);

  // Submits one message. Fails closed: with starttls set, a server without STARTTLS gets nothing,
  // and credentials are never sent over a connection that is not encrypted. Throws MailFailure:
  // SMTP 4xx and network failures are transient, 5xx and refusals are not.
  void send(const Json& message, int64_t now_ms) const;

  const MailSettings& settings() const { return settings_; }

 private:
  MailSettings settings_;
  std::function<std::optional<std::string>(const std::string&)> secret_;
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_MAIL_SENDER_H
