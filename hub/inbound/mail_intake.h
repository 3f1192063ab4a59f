// What one mail of the hub's mailbox means, stored. A bounce (dsn.h) fails the request whose
// delivery it reports; a reply matched to its request by correlation (inbound_mail.h) goes to the
// request's connector (on_email), whose events are applied; everything else, and every reply the
// connector is unsure of, waits in the review queue. Only once take() returns may the mail leave
// the mailbox; taking the same mail twice has no second effect.
//
// Logging: counts and request ids only; never a sender, a subject or a text.
// Thread-safety: take() may be called from any thread.
#ifndef GUICHET_HUB_INBOUND_MAIL_INTAKE_H
#define GUICHET_HUB_INBOUND_MAIL_INTAKE_H

#include "hub/connectors/registry.h"
#include "hub/domain/time.h"
#include "hub/inbound/dsn.h"
#include "hub/review/review_queue.h"
#include "hub/store/store.h"

#include <string>
#include <string_view>

namespace guichet::inbound {

enum class MailEffect {
  events,   // the connector's events were applied
  review,   // queued for a référent
  bounced,  // the request it reports on is failed
  ignored,  // nothing to do (a delay notice, a bounce about nothing the hub knows, a duplicate)
};
const char* to_string(MailEffect effect);

class MailIntake {
 public:
  // `mailbox`: the hub's address, whose plus-addresses carry correlations.
  MailIntake(store::Store& store, connectors::Registry& registry, review::ReviewQueue& review, std::string mailbox,
             Clock clock);

  // Throws store::StoreUnavailable when the effect could not be stored: the mail must stay.
  MailEffect take(std::string_view raw);

 private:
  MailEffect take_bounce(const DeliveryReport& report);
  // The department whose instance writes from `address`, for a mail that matched no request.
  void guess_sender(const std::string& address, review::IncomingMail& mail) const;

  store::Store& store_;
  connectors::Registry& registry_;
  review::ReviewQueue& review_;
  std::string mailbox_;
  Clock clock_;
};

}  // namespace guichet::inbound

#endif
