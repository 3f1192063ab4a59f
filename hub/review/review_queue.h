// The review queue: agency mails the hub could not turn into status events on its own (no request
// matched, or the connector was not sure), waiting for a référent to file them on a request or to
// dismiss them. Routes: GET /v1/review, POST /v1/review/{id}, DELETE /v1/review/{id}.
//
// Privacy: a mail's sender, subject and text are sealed before they are stored (store::ReviewItem)
// and opened only to list them. A référent sees the mails about her own cases and those of her
// department that matched no case; filing or dismissing an item discards its text.
//
// Thread-safety: every method may be called from any thread.
// Errors: cases::ApiError for what the caller got wrong; store::StoreUnavailable when nothing
// could be stored.
#ifndef GUICHET_HUB_REVIEW_REVIEW_QUEUE_H
#define GUICHET_HUB_REVIEW_REVIEW_QUEUE_H

#include "hub/cases/api_error.h"
#include "hub/cases/case_service.h"
#include "hub/domain/time.h"
#include "hub/privacy/vault.h"
#include "hub/store/store.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace guichet::review {

struct IncomingMail {
  std::string mail_id;     // the mail's Message-ID, or a digest of the whole mail
  std::string department;  // for a mail that matched no request: the department it seems to be for
  std::string instance;    // the connector instance it came through, when known
  std::optional<store::RequestContext> request;  // the request it matched, if any
  std::string from, subject, text;
  std::string summary;  // the connector's reading of it, "" when none
};

class ReviewQueue {
 public:
  ReviewQueue(store::Store& store, privacy::Vault& vault, Clock clock);

  // Queues a mail; false when that mail was queued before (a mailbox read again after a crash).
  bool add(const IncomingMail& mail);

  // {"items":[{"id","received_at","instance","request_id","case_id","from","subject","text",
  // "summary"}]}, oldest first.
  nlohmann::json list(const cases::Principal& who);
  // Files the item on a request of one of her cases: body {"request_id","state","message"}, where
  // request_id defaults to the request the mail matched. The request's history shows the new
  // state with source "referent". Returns {"id","request_id","state"}.
  nlohmann::json file(const cases::Principal& who, const std::string& id, const nlohmann::json& body);
  // The mail is about nothing the hub follows (e.g. an out-of-office reply).
  void dismiss(const cases::Principal& who, const std::string& id);

 private:
  store::ReviewItem visible_item(const cases::Principal& who, const std::string& id);
  // A mail about a case is for those who work on it (cases::works_on); others are the department's.
  bool for_them(const cases::Principal& who, const std::string& owner, const std::string& case_id);
  void discard_text(const store::ReviewItem& item);

  store::Store& store_;
  privacy::Vault& vault_;
  Clock clock_;
};

}  // namespace guichet::review

#endif
