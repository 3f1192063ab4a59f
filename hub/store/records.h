// Rows as the rest of the hub sees them. Plain data, no behaviour.
#ifndef GUICHET_HUB_STORE_RECORDS_H
#define GUICHET_HUB_STORE_RECORDS_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace guichet::store {

struct HistoryEntry {
  std::string state;
  std::string at;
  std::string source;  // hub, dispatch, webhook, poll, email, referent
  std::string detail;
};

struct RequestRecord {
  std::string id;
  std::string case_id;
  std::string need;       // the kind
  std::string need_json;  // the need as the référent gave it
  std::string instance;
  std::string agency;
  std::string state;
  std::string agency_reference;
  std::string message;
  std::string deadline;
  std::string correlation;
  std::string delivery_key;
  std::string updated_at;
  std::string agency_at;  // time of the newest agency report applied
  bool retrying = false;
  std::vector<HistoryEntry> history;
};

struct CaseRecord {
  int64_t seq = 0;
  std::string id;
  std::string owner;
  std::string department;
  std::string created_at;
  std::string updated_at;
  bool frozen = false;
  std::vector<RequestRecord> requests;
  std::vector<std::string> delegates;  // colleagues the owner shares the case with (find_case only)
};

// The personal part of a case, kept apart so that it can be sealed and erased on its own.
struct PersonRecord {
  std::string person_json;
  std::string situation_json;
};

struct ConsentEntry {
  std::string need;
  bool given = false;
  std::string at;
  std::string referent;
  std::string channel;  // how the victim gave it: "referent" when recorded by the référent
};

struct NewRequest {
  std::string id;
  std::string need;
  std::string need_json;
  std::string instance;
  std::string agency;
  std::string deadline;
  std::string correlation;
  std::string delivery_key;
};

// A claim taken in advance: outbox rows written already leased to `owner` until `until_ms`.
struct Lease {
  std::string owner;
  int64_t until_ms = 0;
};

struct NewCase {
  std::string id;
  std::string owner;
  std::string department;
  std::string at;
  PersonRecord person;
  std::vector<NewRequest> requests;
  std::vector<ConsentEntry> consents;
  // When set, the deliveries are leased in the intake's own transaction and create_case returns
  // them, for the hub to hand to its dispatcher without a claim.
  std::optional<Lease> lease;
};

// The stored answer to an intake carrying an Idempotency-Key, scoped to its référent.
struct IdempotencyEntry {
  std::string referent;
  std::string key;
  std::string body_hash;
  int status = 0;
  std::string response;
};

// One outbox row claimed by a dispatch worker, with what the worker needs to act on it.
struct Delivery {
  int64_t outbox_id = 0;
  std::string operation;  // deliver, withdraw, answer
  int attempts = 0;       // including this one: counted when claimed, so a crash still counts
  std::string idempotency_key;
  std::string reason;     // withdraw: the référent's reason; answer: the answer, sealed with the case's key
  RequestRecord request;
  std::string case_owner;
  std::string department;
  bool frozen = false;
  int64_t first_queued_ms = 0;
};

// What one step does to a request; applied atomically with the outbox change that caused it.
struct Transition {
  std::vector<HistoryEntry> entries;  // appended in order; the last one's state becomes current
  std::optional<std::string> agency_reference;
  std::optional<std::string> message;  // replaces the request's message (empty clears it)
  bool retrying = false;
  // Fields the connector was given, recorded when the delivery completes (whatever its outcome:
  // a failed delivery may still have reached the agency).
  std::vector<std::string> disclosed;
};

// What became of one claimed row. Without `next_attempt_ms` it is done: it leaves the outbox, the
// request moves, and it is audited as dispatch.<operation> with the fields disclosed and the
// outcome. With it, the row stays, due again then; without `count_attempt` the claim is not
// counted as an attempt (the connector was not called, e.g. it is quarantined) and nothing is
// audited, otherwise the attempt is.
struct Settlement {
  static Settlement done(Delivery delivery, Transition transition) {
    return {std::move(delivery), std::move(transition), std::nullopt, true};
  }
  static Settlement due_again(Delivery delivery, Transition transition, int64_t at_ms, bool count_attempt = true) {
    return {std::move(delivery), std::move(transition), at_ms, count_attempt};
  }

  Delivery delivery;
  Transition transition;
  std::optional<int64_t> next_attempt_ms;
  bool count_attempt = true;
};

// Which agency received which fields of a case, and when (GDPR art. 15: the victim may ask).
struct Disclosure {
  std::string request_id;
  std::string instance;
  std::string agency;
  std::vector<std::string> fields;
  std::string at;
};

// A report from an agency (webhook, poll, email), found by request id or by agency reference.
struct AgencyEvent {
  std::string instance;
  std::string request_id;
  std::string agency_reference;
  std::string state;
  std::string at;           // the agency's time, when it gave one
  std::string recorded_at;  // the hub's time of receipt
  std::string source;
  std::string message;
};

struct OpenRequest {
  std::string request_id;
  std::string agency_reference;
  std::string state;
};

// A request with what is needed to act on it from outside its case: hand an agency's mail to its
// connector, check who may file a review item on it.
struct RequestContext {
  std::string request_id, case_id, instance, state, agency_reference;
  std::string department, owner;  // of the case
};

// A mail the hub could not turn into status events on its own, waiting for a référent. `sealed`
// holds its sender, subject, text and the connector's summary, sealed (hub/privacy/vault.h): with
// the case's key when the mail matched a request, so erasing the case erases it too; with a key
// of its own otherwise. Matched items are for those who work on the case; the others, the department's.
struct ReviewItem {
  std::string id;
  std::string mail_id;     // the mail's Message-ID, or a digest of it: the same mail is queued once
  std::string department;  // "" when nothing tells which department it is for
  std::string owner;       // "" when it matched no request
  std::string instance, request_id, case_id;  // "" when unknown
  std::string received_at;
  std::string sealed;
};

struct OutboxStats {
  int64_t depth = 0;
  int64_t oldest_created_ms = 0;  // 0 when empty
};

// One thing done, as the audit log records it: who, what, on which case and request, and details
// as a JSON object. Never personal data: ids, instance names, states, field names, counts.
struct AuditEvent {
  std::string actor;  // "referent:<id>", "hub", "agency:<instance>", "admin"
  std::string action;  // case.create, case.read, dispatch.deliver, request.state, ...
  std::string case_id;
  std::string request_id;
  std::string detail;
};

// An entry of the hash-chained audit log (hub/store/audit_chain.h).
struct AuditEntry {
  int64_t seq = 0;  // 1, 2, 3... with no gap
  std::string at;
  std::string actor, action, case_id, request_id, detail;
  std::string prev_hash, hash;
};

// The last entry appended, as the store recorded it apart from the log itself.
struct AuditHead {
  int64_t seq = 0;
  std::string hash;
};

struct CasePage {
  std::vector<CaseRecord> cases;
  std::optional<int64_t> next_before_seq;
};

}  // namespace guichet::store

#endif
