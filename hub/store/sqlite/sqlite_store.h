// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a committed change
// survives a power cut, not only a crash. SQLite takes one writer at a time; writes go through
// one connection, grouped so that concurrent ones share one IMMEDIATE transaction and one fsync
// (GroupCommit), so two writers never deadlock on a lock upgrade. Readers use their own
// connections (ReaderPool) and never wait for it.
#ifndef GUICHET_HUB_STORE_SQLITE_SQLITE_STORE_H
#define GUICHET_HUB_STORE_SQLITE_SQLITE_STORE_H

#include "hub/store/sqlite/checkpointer.h"
#include "hub/store/sqlite/database.h"
#include "hub/store/sqlite/group_commit.h"
#include "hub/store/sqlite/reader_pool.h"
#include "hub/store/store.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

namespace guichet::store {

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database and brings its schema up to date. Throws
  // StoreUnavailable when the file cannot be opened or is not a database. Then reads the whole file
  // once in the background (PRAGMA quick_check), logging the result under "store": corruption
  // anywhere shows within seconds of start-up, without holding start-up for the minutes a store
  // of a million cases takes to read. Corruption met by a statement meanwhile is a storage failure
  // like any other (StoreUnavailable).
  explicit SqliteStore(const std::filesystem::path& file);
  ~SqliteStore() override;  // interrupts the check if it is still reading

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
  // Runs `body` as one transaction on the writer (in a group commit), undoing it on any exception.
  template <typename Body>
  auto write(Body&& body);
  // Runs `body` on a reader inside one read transaction: every statement sees the same snapshot.
  template <typename Body>
  auto read(Body&& body);

  std::unique_ptr<sqlite::Database> writer_;
  std::unique_ptr<sqlite::Checkpointer> checkpointer_;
  std::unique_ptr<sqlite::GroupCommit> group_commit_;
  std::unique_ptr<sqlite::ReaderPool> readers_;
  std::unique_ptr<sqlite::Database> checker_;  // the integrity check's own connection
  std::atomic<bool> closing_{false};
  std::thread integrity_check_;
};

}  // namespace guichet::store

#endif
