// Whatever lands in the hub's mailbox: a reply, a bounce, or garbage. The readers never throw and
// never read out of bounds.
#include "hub/inbound/dsn.h"
#include "hub/inbound/inbound_mail.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  guichet::inbound::parse_delivery_report(raw);
  guichet::inbound::InboundMail mail = guichet::inbound::parse_inbound_mail(raw);
  guichet::inbound::correlation_of(mail, "guichet@guichet.local");
  return 0;
}
