#include "email_agencies/smtp_reply.hpp"

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Timestamp.h>

#include <algorithm>

namespace guichet::sim::email {

void send_reply(std::uint16_t smtp_port, const Reply& reply) {
  Poco::Net::MailMessage message;
  message.setSender(reply.from);
  message.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, reply.to));
  bool ascii = std::all_of(reply.subject.begin(), reply.subject.end(),
                           [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
  message.setSubject(ascii ? reply.subject : Poco::Net::MailMessage::encodeWord(reply.subject, "UTF-8"));
  message.setDate(Poco::Timestamp());
  message.set("Message-ID", reply.message_id);
  if (!reply.in_reply_to.empty()) {
    message.set("In-Reply-To", reply.in_reply_to);
    message.set("References", reply.in_reply_to);
  }
  message.setContentType("text/plain; charset=UTF-8");
  message.setContent(reply.text, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);

  Poco::Net::SMTPClientSession session("127.0.0.1", smtp_port);
  session.setTimeout(Poco::Timespan(10, 0));
  session.login();
  session.sendMessage(message);
  session.close();
}

}  // namespace guichet::sim::email
