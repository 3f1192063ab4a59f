// Sends one agency reply over SMTP, threaded under the message it answers (RFC 5322
// In-Reply-To and References), as plain UTF-8 text.
#ifndef GUICHET_SIM_EMAIL_AGENCIES_SMTP_REPLY_HPP
#define GUICHET_SIM_EMAIL_AGENCIES_SMTP_REPLY_HPP

#include <cstdint>
#include <string>

namespace guichet::sim::email {

struct Reply {
  std::string from;
  std::string to;
  std::string subject;      // decoded; encoded here when it is not plain ASCII
  std::string message_id;   // "<...>" of this reply
  std::string in_reply_to;  // "<...>" of the message answered
  std::string text;
};

// Throws Poco::Exception when the server cannot be reached or refuses the message.
void send_reply(std::uint16_t smtp_port, const Reply& reply);

}  // namespace guichet::sim::email

#endif  // GUICHET_SIM_EMAIL_AGENCIES_SMTP_REPLY_HPP
