// The hub's durable state. Every method is one transaction: it happens entirely or not at all,
// and once it returns the change survives a crash or a power cut.
//
// Audit: every method that changes a case, a request or the review queue appends what it did to
// the hash-chained audit log (hub/store/audit_chain.h) in its own transaction, so the log never
// misses a change that happened nor records one that did not. `actor` names who acts, as in
// AuditEvent; where a method has none, the actor is in its arguments (the case's owner, the
// consent's référent) or is the hub itself (dispatch, bounces) or the agency (its reports).
//
// Thread-safety: every method may be called from any thread.
// Errors: StoreUnavailable when the database cannot take the change (disk full, I/O error); the
// caller answers 503 and nothing was written. Other exceptions are bugs.
#ifndef GUICHET_HUB_STORE_STORE_H
#define GUICHET_HUB_STORE_STORE_H

#include "hub/store/records.h"

#include <stdexcept>

namespace guichet::store {

class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The change breaks a rule the database itself enforces (one open request per need and agency):
// a concurrent change got there first. Nothing was written.
class Conflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A new request's correlation is already another request's. Correlations are short enough to be
// read over the phone (hub/domain/ids.h), so among millions of requests two drawn alike are
// expected: the caller mints new ones and tries again. Nothing was written.
class CorrelationTaken : public std::runtime_error {
 public:
  CorrelationTaken() : std::runtime_error("correlation already taken") {}
};

// The same idempotency key was stored by a concurrent request between lookup and insert.
class IdempotencyRace : public std::runtime_error {
 public:
  IdempotencyRace() : std::runtime_error("idempotency key stored concurrently") {}
};

class Store {
 public:
  virtual ~Store() = default;

  // Intake. create_case stores the case, its person, its requests (state queued, with a history
  // entry), one outbox row per request and the consents; with `answer`, the idempotent answer too.
  // Both throw CorrelationTaken when a request's correlation is another's. With new_case.lease,
  // create_case returns the deliveries it leased (attempts counted, as a claim counts them);
  // otherwise nothing, and the rows wait for a claim.
  virtual std::optional<IdempotencyEntry> find_idempotency(const std::string& referent,
                                                           const std::string& key) = 0;
  virtual std::vector<Delivery> create_case(const NewCase& new_case, const std::optional<IdempotencyEntry>& answer) = 0;
  virtual void add_requests(const std::string& case_id, const std::string& at,
                            const std::vector<NewRequest>& requests,
                            const std::vector<ConsentEntry>& consents, const std::string& actor) = 0;

  // Reading. find_case includes requests and their history.
  virtual std::optional<CaseRecord> find_case(const std::string& case_id) = 0;
  virtual std::optional<PersonRecord> find_person(const std::string& case_id) = 0;
  virtual std::vector<Disclosure> disclosures(const std::string& case_id) = 0;
  // The référent's cases and those shared with them, newest first; `before_seq` continues a
  // previous page.
  virtual CasePage list_cases(const std::string& referent, int limit,
                              std::optional<int64_t> before_seq) = 0;

  // Référent actions. Each returns false when the request's state does not allow it.
  // retry_request: from failed, or from info_requested once the référent has the answer.
  virtual bool retry_request(const std::string& request_id, const std::string& at, const std::string& actor) = 0;
  // answer_request: from info_requested. Queues the référent's answer for the agency under its
  // own idempotency key (`sealed`: sealed with the case's key, for erasure holds) and puts the
  // request back in_review, where the agency's answer to it will move it.
  virtual bool answer_request(const std::string& request_id, const std::string& key, const std::string& sealed,
                              const std::string& at, const std::string& actor) = 0;
  // Withdraws at once when the agency never received the request; otherwise queues a withdrawal.
  virtual bool withdraw_request(const std::string& request_id, const std::string& at,
                                const std::string& reason, const std::string& source, const std::string& actor) = 0;
  virtual void record_consent(const std::string& case_id, const ConsentEntry& consent) = 0;
  virtual bool set_frozen(const std::string& case_id, bool frozen, const std::string& at,
                          const std::string& actor) = 0;
  // Shares the case with a colleague, or stops sharing it; false when nothing changed (already a
  // delegate, not one, or no such case). Audited as case.delegate / case.undelegate.
  virtual bool add_delegate(const std::string& case_id, const std::string& referent, const std::string& at,
                            const std::string& actor) = 0;
  virtual bool remove_delegate(const std::string& case_id, const std::string& referent, const std::string& actor) = 0;
  // Removes the case, its person and everything that leads to them. Its audit entries stay: they
  // hold nothing of the person, and the erasure itself is one of them.
  virtual bool erase_case(const std::string& case_id, const std::string& actor) = 0;

  // Dispatch. claim leases due outbox rows of cases that are not frozen to `worker` until now +
  // lease; the lease lets another worker (or a restarted hub) take over a row whose worker died.
  // The rows of one claim are for one connector instance, the one whose row is due first, so a
  // slow agency holds up its own rows only.
  virtual std::vector<Delivery> claim(const std::string& worker, int64_t now_ms, int64_t lease_ms,
                                      int limit) = 0;
  // Records what became of claimed rows, all in one transaction: a worker settles its batch at
  // once, so the writer commits once per batch rather than once per row.
  virtual void settle(const std::vector<Settlement>& settlements) = 0;
  void complete(const Delivery& delivery, const Transition& transition) { settle({Settlement::done(delivery, transition)}); }
  void reschedule(const Delivery& delivery, int64_t next_attempt_ms, const Transition& transition,
                  bool count_attempt = true) {
    settle({Settlement::due_again(delivery, transition, next_attempt_ms, count_attempt)});
  }
  // Of these outbox rows, those still there, leased to `owner` and of a case that is not frozen: what
  // a worker may still deliver of what it was handed (the case may have been erased or frozen since).
  virtual std::vector<int64_t> still_leased(const std::string& owner, const std::vector<int64_t>& outbox_ids) = 0;
  // Earliest due time of any outbox row, to sleep until then.
  virtual std::optional<int64_t> next_due_ms() = 0;

  // For /metrics: what waits, and which open requests are past their deadline, per instance.
  virtual OutboxStats outbox_stats() = 0;
  virtual std::vector<std::pair<std::string, int64_t>> overdue_by_instance(const std::string& now) = 0;

  // Retention: up to `limit` cases whose every request is settled (accepted, refused, closed or
  // withdrawn; a case with none counts as settled) and that nothing has touched since `before`.
  virtual std::vector<std::string> settled_cases_before(const std::string& before, int limit) = 0;

  // Agency reports. Returns false when the report was unknown, stale or moved nothing.
  virtual bool apply_agency_event(const AgencyEvent& event) = 0;
  // The instance's requests the agency has and has not settled, by id: at most `limit` of them,
  // after `after_request_id` (empty: from the first), so that a poller walks them page by page.
  virtual std::vector<OpenRequest> open_requests(const std::string& instance, const std::string& after_request_id,
                                                 int limit) = 0;
  virtual std::optional<std::string> cursor(const std::string& instance) = 0;
  virtual void set_cursor(const std::string& instance, const std::string& cursor) = 0;

  // Mail. The request whose correlation is `correlation` or, when that is empty or unknown, whose
  // delivery used `delivery_key` as idempotency key (hence as Message-ID).
  virtual std::optional<RequestContext> match_mail(const std::string& correlation,
                                                   const std::string& delivery_key) = 0;
  virtual std::optional<RequestContext> find_request(const std::string& request_id) = 0;
  // A bounce: the agency never got the request. Moves it from sent to failed with `reason`;
  // false when it is in any other state (the agency answered meanwhile, or it is settled).
  virtual bool fail_request(const std::string& request_id, const std::string& at, const std::string& reason) = 0;

  // Review queue. add: false when that mail is queued, or was, already (a mailbox read twice after
  // a crash queues nothing twice). review_items: the waiting ones of a department, oldest first.
  virtual bool add_review_item(const ReviewItem& item) = 0;
  virtual std::vector<ReviewItem> review_items(const std::string& department) = 0;
  virtual std::optional<ReviewItem> find_review_item(const std::string& id) = 0;
  // Files a waiting item as `event` (source "referent") on its request: the event applies and the
  // item closes, or neither happens (false: the event would not move the request).
  virtual bool file_review_item(const std::string& id, const AgencyEvent& event, const std::string& actor) = 0;
  // Closes a waiting item without any effect (not about any request). False when not waiting.
  virtual bool dismiss_review_item(const std::string& id, const std::string& at, const std::string& actor) = 0;

  // Audit. record_audit appends an entry for what changes nothing here: a référent reading a
  // case, an operator's command on the data directory. A read costs one small insert.
  virtual void record_audit(const AuditEvent& event) = 0;
  // Entries after `after_seq` in order, at most `limit`; only those of `case_id` unless it is empty.
  virtual std::vector<AuditEntry> audit_entries(const std::string& case_id, int64_t after_seq, int limit) = 0;
  virtual AuditHead audit_head() = 0;
};

}  // namespace guichet::store

#endif
