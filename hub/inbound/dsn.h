// Delivery status notifications (RFC 3464): the mail server's "undeliverable" report about a
// message the hub sent. The mailbox reader asks this before handing a mail to a connector, since a
// bounce is about the hub's own message (found by its Message-ID), not an agency's answer.
// Pure: no I/O, no logging; safe from any thread.
#ifndef GUICHET_HUB_INBOUND_DSN_H
#define GUICHET_HUB_INBOUND_DSN_H

#include <optional>
#include <string>
#include <string_view>

namespace guichet::inbound {

struct DeliveryReport {
  std::string original_message_id;  // as the hub wrote it, angle brackets included; "" if not quoted
  std::string action;               // "failed", "delayed", "delivered", ... (lower case)
  std::string status;               // "5.1.1"
  std::string diagnostic;           // Diagnostic-Code without its type, e.g. "550 5.1.1 ...", or ""

  // A 5.x.x status: the message will never arrive, retrying the same address is pointless.
  bool permanent() const { return !status.empty() && status.front() == '5'; }
};

// The report in `raw` (a whole RFC 5322 message, CRLF or LF line ends), or nothing when it is not
// a multipart/report with report-type=delivery-status. With several recipients, the first one
// whose action is "failed" is reported, else the first one.
std::optional<DeliveryReport> parse_delivery_report(std::string_view raw);

}  // namespace guichet::inbound

#endif
