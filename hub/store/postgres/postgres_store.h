// The shared store: one PostgreSQL database that several hubs use at once. Each method is one
// READ COMMITTED transaction on a pooled connection; rows another transaction is changing are
// locked (FOR UPDATE) before they are read to decide a change, and claim() skips the outbox rows
// another hub is claiming (SKIP LOCKED), so hubs never hand the same delivery out twice while a
// lease holds. Durability is the server's: a commit returns once PostgreSQL has it on disk.
#ifndef GUICHET_HUB_STORE_POSTGRES_POSTGRES_STORE_H
#define GUICHET_HUB_STORE_POSTGRES_POSTGRES_STORE_H

#include "hub/store/store.h"

#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>

#include <memory>
#include <string>

namespace guichet::store {

class PostgresStore final : public Store {
 public:
  // `connection` is a libpq connection string ("host=... port=... dbname=... user=..."). Creates
  // the schema when missing. Throws StoreUnavailable when the server cannot be reached.
  explicit PostgresStore(const std::string& connection);
  ~PostgresStore() override;

  std::optional<IdempotencyEntry> find_idempotency(const std::string& referent,
                                                   const std::string& key) override;
  std::vector<Delivery> create_case(const NewCase& new_case, const std::optional<IdempotencyEntry>& answer) override;
  void add_requests(const std::string& case_id, const std::string& at,
                    const std::vector<NewRequest>& requests,
                    const std::vector<ConsentEntry>& consents, const std::string& actor) override;
  std::optional<CaseRecord> find_case(const std::string& case_id) override;
  std::optional<PersonRecord> find_person(const std::string& case_id) override;
  std::vector<Disclosure> disclosures(const std::string& case_id) override;
  CasePage list_cases(const std::string& referent, int limit, std::optional<int64_t> before_seq) override;
  bool retry_request(const std::string& request_id, const std::string& at, const std::string& actor) override;
  bool answer_request(const std::string& request_id, const std::string& key, const std::string& sealed,
                      const std::string& at, const std::string& actor) override;
  bool withdraw_request(const std::string& request_id, const std::string& at,
                        const std::string& reason, const std::string& source, const std::string& actor) override;
  void record_consent(const std::string& case_id, const ConsentEntry& consent) override;
  bool set_frozen(const std::string& case_id, bool frozen, const std::string& at, const std::string& actor) override;
  bool add_delegate(const std::string& case_id, const std::string& referent, const std::string& at,
                    const std::string& actor) override;
  bool remove_delegate(const std::string& case_id, const std::string& referent, const std::string& actor) override;
  bool erase_case(const std::string& case_id, const std::string& actor) override;
  std::vector<Delivery> claim(const std::string& worker, int64_t now_ms, int64_t lease_ms,
                              int limit) override;
  void settle(const std::vector<Settlement>& settlements) override;
  std::vector<int64_t> still_leased(const std::string& owner, const std::vector<int64_t>& outbox_ids) override;
  std::optional<int64_t> next_due_ms() override;
  OutboxStats outbox_stats() override;
  std::vector<std::pair<std::string, int64_t>> overdue_by_instance(const std::string& now) override;
  std::vector<std::string> settled_cases_before(const std::string& before, int limit) override;
  bool apply_agency_event(const AgencyEvent& event) override;
  std::vector<OpenRequest> open_requests(const std::string& instance, const std::string& after_request_id,
                                         int limit) override;
  std::optional<std::string> cursor(const std::string& instance) override;
  void set_cursor(const std::string& instance, const std::string& cursor) override;
  std::optional<RequestContext> match_mail(const std::string& correlation, const std::string& delivery_key) override;
  std::optional<RequestContext> find_request(const std::string& request_id) override;
  bool fail_request(const std::string& request_id, const std::string& at, const std::string& reason) override;
  bool add_review_item(const ReviewItem& item) override;
  std::vector<ReviewItem> review_items(const std::string& department) override;
  std::optional<ReviewItem> find_review_item(const std::string& id) override;
  bool file_review_item(const std::string& id, const AgencyEvent& event, const std::string& actor) override;
  bool dismiss_review_item(const std::string& id, const std::string& at, const std::string& actor) override;
  void record_audit(const AuditEvent& event) override;
  std::vector<AuditEntry> audit_entries(const std::string& case_id, int64_t after_seq, int limit) override;
  AuditHead audit_head() override;

 private:
  // Runs `body` inside BEGIN ... COMMIT on a pooled session, rolling back on any exception. A
  // deadlock or serialization failure between hubs runs the body again; a lost connection or a
  // server out of resources comes out as StoreUnavailable.
  template <typename Body>
  auto write(Body&& body);
  // Runs `body` on a pooled session outside any explicit transaction.
  template <typename Body>
  auto read(Body&& body);
  Poco::Data::Session session();

  std::unique_ptr<Poco::Data::SessionPool> pool_;
};

}  // namespace guichet::store

#endif
