// An agency's reply as the hub reads it: the few headers that match it to a request, and its text.
// Pure: no I/O, no logging; safe from any thread.
#ifndef GUICHET_HUB_INBOUND_INBOUND_MAIL_H
#define GUICHET_HUB_INBOUND_INBOUND_MAIL_H

#include <string>
#include <string_view>
#include <vector>

namespace guichet::inbound {

struct InboundMail {
  std::string message_id;         // as written, angle brackets included; "" when absent
  std::string from;               // the bare address, lower case
  std::string subject;            // RFC 2047 words decoded
  std::vector<std::string> to;    // Delivered-To, then To and Cc: bare addresses, lower case
  std::vector<std::string> refs;  // In-Reply-To, then References: message ids with brackets
  std::string text;               // the first text/plain part, transfer-decoded; "" when none
};

// Reads a whole RFC 5322 message (CRLF or LF line ends). Never throws: what it cannot read stays
// empty, and the caller sends such a mail to the review queue.
InboundMail parse_inbound_mail(std::string_view raw);

// The correlation a reply carries: the tag of a plus-address to `mailbox` ("guichet+GCH-7Q2XAB@…"
// for mailbox "guichet@…"), else a bracketed "[GCH-…]" in the subject; "" when neither.
std::string correlation_of(const InboundMail& mail, std::string_view mailbox);

}  // namespace guichet::inbound

#endif
