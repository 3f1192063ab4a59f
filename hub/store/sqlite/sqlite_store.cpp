#include "hub/store/sqlite/sqlite_store.h"

#include "hub/domain/request_state.h"
#include "hub/domain/time.h"
#include "hub/store/audit_chain.h"
#include "hub/store/leased_delivery.h"

#include <Poco/Logger.h>

#include <chrono>
#include <map>
#include <type_traits>

namespace guichet::store {
namespace {

using sqlite::Database;
using sqlite::Query;

constexpr int kSchemaVersion = 2;
constexpr int kWriterCacheKiB = 16 * 1024;

// Requests in these states have nothing more to do.
const std::string kTerminalList = "('accepted','refused','closed','withdrawn')";
// The same, as the condition of the partial indexes over open requests. Not `NOT IN (...)`: SQLite
// builds a temporary table for an IN list each time it evaluates one, which an index's condition is
// at every insert and update of a request (four temporary b-trees per update, 10 % of the writer).
// A query that wants the index must carry these very terms.
const std::string kOpen = "state <> 'accepted' AND state <> 'refused' AND state <> 'closed' AND state <> 'withdrawn'";

const char* const kSchema[] = {
    R"(CREATE TABLE IF NOT EXISTS cases(
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         id TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, department TEXT NOT NULL,
         created_at TEXT NOT NULL, updated_at TEXT NOT NULL, frozen INTEGER NOT NULL DEFAULT 0))",
    "CREATE INDEX IF NOT EXISTS cases_by_owner ON cases(owner, seq)",
    R"(CREATE TABLE IF NOT EXISTS case_delegates(
         case_id TEXT NOT NULL, referent TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY(case_id, referent)))",
    "CREATE INDEX IF NOT EXISTS case_delegates_by_referent ON case_delegates(referent, case_id)",
    R"(CREATE TABLE IF NOT EXISTS people(
         case_id TEXT PRIMARY KEY, person TEXT NOT NULL, situation TEXT NOT NULL))",
    R"(CREATE TABLE IF NOT EXISTS requests(
         id TEXT PRIMARY KEY, case_id TEXT NOT NULL, need TEXT NOT NULL, need_json TEXT NOT NULL,
         instance TEXT NOT NULL, agency TEXT NOT NULL, state TEXT NOT NULL,
         agency_reference TEXT, message TEXT, deadline TEXT, correlation TEXT NOT NULL UNIQUE,
         delivery_key TEXT NOT NULL, agency_at TEXT, retrying INTEGER NOT NULL DEFAULT 0,
         created_at TEXT NOT NULL, updated_at TEXT NOT NULL))",
    "CREATE INDEX IF NOT EXISTS requests_by_case ON requests(case_id)",
    "CREATE INDEX IF NOT EXISTS requests_by_reference ON requests(instance, agency_reference)",
    // Replaced by requests_one_open_per_agency (migrate) when needs could first be served by several agencies.
    "DROP INDEX IF EXISTS requests_one_open_per_need",
    R"(CREATE TABLE IF NOT EXISTS history(
         id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL, state TEXT NOT NULL,
         source TEXT NOT NULL, at TEXT NOT NULL, detail TEXT))",
    "CREATE INDEX IF NOT EXISTS history_by_request ON history(request_id, id)",
    // next_attempt_at: when the row may next be claimed, the end of its lease while it is leased.
    // instance: its request's, so that a claim reads one instance's rows off an index.
    R"(CREATE TABLE IF NOT EXISTS outbox(
         id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL, operation TEXT NOT NULL,
         idempotency_key TEXT NOT NULL, reason TEXT, attempts INTEGER NOT NULL DEFAULT 0,
         next_attempt_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0,
         created_ms INTEGER NOT NULL, instance TEXT NOT NULL DEFAULT ''))",
    "CREATE INDEX IF NOT EXISTS outbox_by_due ON outbox(next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS outbox_by_request ON outbox(request_id, id)",
    R"(CREATE TABLE IF NOT EXISTS consents(
         id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, need TEXT NOT NULL,
         given INTEGER NOT NULL, at TEXT NOT NULL, referent TEXT NOT NULL, channel TEXT NOT NULL))",
    "CREATE INDEX IF NOT EXISTS consents_by_case ON consents(case_id, id)",
    R"(CREATE TABLE IF NOT EXISTS idempotency(
         referent TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, status INTEGER NOT NULL,
         response TEXT NOT NULL, case_id TEXT, PRIMARY KEY(referent, key)))",
    R"(CREATE TABLE IF NOT EXISTS cursors(instance TEXT PRIMARY KEY, cursor TEXT NOT NULL))",
    R"(CREATE TABLE IF NOT EXISTS disclosures(
         id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, request_id TEXT NOT NULL,
         instance TEXT NOT NULL, agency TEXT NOT NULL, fields TEXT NOT NULL, at TEXT NOT NULL))",
    "CREATE INDEX IF NOT EXISTS disclosures_by_case ON disclosures(case_id, id)",
    // A reply quotes the Message-ID of the hub's mail, which holds the delivery's key.
    "CREATE INDEX IF NOT EXISTS requests_by_delivery_key ON requests(delivery_key)",
    R"(CREATE TABLE IF NOT EXISTS review_items(
         seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, mail_id TEXT NOT NULL UNIQUE, department TEXT NOT NULL, owner TEXT NOT NULL,
         instance TEXT NOT NULL, request_id TEXT NOT NULL, case_id TEXT NOT NULL, received_at TEXT NOT NULL,
         sealed TEXT NOT NULL, closed_at TEXT))",
    "CREATE INDEX IF NOT EXISTS review_waiting ON review_items(department, seq) WHERE closed_at IS NULL",
    // The audit log (hub/store/audit_chain.h) and its head, the last entry as the appender saw it:
    // removing the newest entries from the log alone shows, as the head then names a missing one.
    R"(CREATE TABLE IF NOT EXISTS audit(
         seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
         case_id TEXT NOT NULL, request_id TEXT NOT NULL, detail TEXT NOT NULL,
         prev_hash TEXT NOT NULL, hash TEXT NOT NULL))",
    "CREATE INDEX IF NOT EXISTS audit_by_case ON audit(case_id, seq)",
    R"(CREATE TABLE IF NOT EXISTS audit_head(
         id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL))",
};

// Brings a database written by an earlier version to the current schema. Each step is idempotent.
void migrate(Database& db) {
  bool has_instance = false;
  for (Query q = db.query("SELECT name FROM pragma_table_info('outbox')"); q.next();) {
    if (q.text(0) == "instance") has_instance = true;
  }
  if (!has_instance) {
    db.execute("ALTER TABLE outbox ADD COLUMN instance TEXT NOT NULL DEFAULT ''");
    db.execute("UPDATE outbox SET instance = (SELECT r.instance FROM requests r WHERE r.id = outbox.request_id)");
  }
  db.execute("CREATE INDEX IF NOT EXISTS outbox_by_instance ON outbox(instance, next_attempt_at)");
  // The partial indexes over open requests, first written with `NOT IN (...)` (see kOpen).
  for (const char* index : {"requests_one_open_per_agency", "requests_open_by_instance"}) {
    bool written_with_in = false;
    {
      Query q = db.query("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1", index);
      written_with_in = q.next() && q.text(0).find("NOT IN") != std::string::npos;
    }
    if (written_with_in) db.execute(std::string("DROP INDEX ") + index);
  }
  // A case holds one open request per need and serving agency (a department may have a need
  // served by several agencies), enforced by the database itself.
  db.execute("CREATE UNIQUE INDEX IF NOT EXISTS requests_one_open_per_agency ON requests(case_id, need, instance) "
             "WHERE " + kOpen);
  // The poller's walk over each instance's open requests, a page at a time.
  db.execute("CREATE INDEX IF NOT EXISTS requests_open_by_instance ON requests(instance, id) WHERE " + kOpen);
  // Rows leased before a claim moved their due time to the end of the lease get the same.
  db.execute("UPDATE outbox SET next_attempt_at = lease_until WHERE lease_until > next_attempt_at");
}

int64_t parse_ms(const std::string& rfc3339) { return parse_time(rfc3339).value_or(0); }

const std::string kRequestColumns =
    "r.id, r.case_id, r.need, r.need_json, r.instance, r.agency, r.state, r.agency_reference, "
    "r.message, r.deadline, r.correlation, r.delivery_key, r.updated_at, r.agency_at, r.retrying";

RequestRecord read_request(const Query& q, int first = 0) {
  RequestRecord r;
  r.id = q.text(first + 0);
  r.case_id = q.text(first + 1);
  r.need = q.text(first + 2);
  r.need_json = q.text(first + 3);
  r.instance = q.text(first + 4);
  r.agency = q.text(first + 5);
  r.state = q.text(first + 6);
  r.agency_reference = q.text(first + 7);
  r.message = q.text(first + 8);
  r.deadline = q.text(first + 9);
  r.correlation = q.text(first + 10);
  r.delivery_key = q.text(first + 11);
  r.updated_at = q.text(first + 12);
  r.agency_at = q.text(first + 13);
  r.retrying = q.integer(first + 14) != 0;
  return r;
}

const std::string kCaseColumns = "seq, id, owner, department, created_at, updated_at, frozen";

CaseRecord read_case(const Query& q) {
  CaseRecord c;
  c.seq = q.integer(0);
  c.id = q.text(1);
  c.owner = q.text(2);
  c.department = q.text(3);
  c.created_at = q.text(4);
  c.updated_at = q.text(5);
  c.frozen = q.integer(6) != 0;
  return c;
}

void insert_history(Database& db, const std::string& request_id, const HistoryEntry& entry) {
  db.query("INSERT INTO history(request_id, state, source, at, detail) VALUES(?1,?2,?3,?4,?5)")
      .bind(request_id, entry.state, entry.source, entry.at, entry.detail)
      .run();
}

// Appends `event` to the audit log, in the caller's transaction: the log holds an action exactly
// when the action's change is committed.
void append_audit(Database& db, const AuditEvent& event) {
  int64_t seq = 0;
  std::string hash;
  {
    Query head = db.query("SELECT seq, hash FROM audit_head WHERE id = 1");
    if (head.next()) {
      seq = head.integer(0);
      hash = head.text(1);
    }
  }
  AuditEntry e = chain_entry(seq + 1, format_time(system_now_ms()), hash, event);
  db.query("INSERT INTO audit(seq, at, actor, action, case_id, request_id, detail, prev_hash, hash) "
           "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)")
      .bind(e.seq, e.at, e.actor, e.action, e.case_id, e.request_id, e.detail, e.prev_hash, e.hash)
      .run();
  db.query("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1").bind(e.seq, e.hash).run();
}

void insert_outbox(Database& db, const std::string& request_id, const std::string& instance,
                   const std::string& operation, const std::string& key, const std::string& reason, int64_t due_ms) {
  db.query("INSERT INTO outbox(request_id, instance, operation, idempotency_key, reason, next_attempt_at, created_ms) "
           "VALUES(?1,?2,?3,?4,?5,?6,?6)")
      .bind(request_id, instance, operation, key, reason, due_ms)
      .run();
}

// The requests with their first history entry and their delivery's outbox row, free for a claim or,
// with `lease`, leased already (its deliveries are returned).
std::vector<Delivery> insert_requests(Database& db, const NewCase& c, int64_t at_ms, const std::optional<Lease>& lease) {
  std::vector<Delivery> leased;
  for (const auto& r : c.requests) {
    if (db.query("SELECT 1 FROM requests WHERE correlation = ?1", r.correlation).next()) throw CorrelationTaken();
    db.query("INSERT INTO requests(id, case_id, need, need_json, instance, agency, state, deadline, "
             "correlation, delivery_key, created_at, updated_at) VALUES(?1,?2,?3,?4,?5,?6,'queued',?7,?8,?9,?10,?10)")
        .bind(r.id, c.id, r.need, r.need_json, r.instance, r.agency, r.deadline, r.correlation, r.delivery_key, c.at)
        .run();
    insert_history(db, r.id, {"queued", c.at, "hub", ""});
    if (!lease) {
      insert_outbox(db, r.id, r.instance, "deliver", r.delivery_key, "", at_ms);
      continue;
    }
    db.query("INSERT INTO outbox(request_id, instance, operation, idempotency_key, reason, next_attempt_at, created_ms, "
             "lease_owner, lease_until, attempts) VALUES(?1,?2,'deliver',?3,'',?4,?5,?6,?4,1)",
             r.id, r.instance, r.delivery_key, lease->until_ms, at_ms, lease->owner)
        .run();
    leased.push_back(leased_delivery(c, r, db.last_insert_id(), at_ms));
  }
  return leased;
}

void insert_consents(Database& db, const std::string& case_id, const std::vector<ConsentEntry>& consents) {
  for (const auto& c : consents) {
    db.query("INSERT INTO consents(case_id, need, given, at, referent, channel) VALUES(?1,?2,?3,?4,?5,?6)")
        .bind(case_id, c.need, c.given, c.at, c.referent, c.channel)
        .run();
  }
}

void touch_case(Database& db, const std::string& case_id, const std::string& at) {
  db.query("UPDATE cases SET updated_at = ?1 WHERE id = ?2").bind(at, case_id).run();
}

// A request's state and case, as the writer sees it now.
struct RequestRow {
  std::string state, case_id, delivery_key, instance;
};

std::optional<RequestRow> request_state(Database& db, const std::string& request_id) {
  Query q = db.query("SELECT state, case_id, delivery_key, instance FROM requests WHERE id = ?1");
  q.bind(request_id);
  if (!q.next()) return std::nullopt;
  return RequestRow{q.text(0), q.text(1), q.text(2), q.text(3)};
}

// Applies a transition to a request; a request in a final state keeps it (a late delivery
// outcome must not resurrect a withdrawn request) but the history still records what happened.
void apply_transition(Database& db, const std::string& request_id, const Transition& t) {
  auto found = request_state(db, request_id);
  if (!found) return;
  auto current = parse_request_state(found->state).value_or(RequestState::queued);
  if (is_terminal(current)) {
    // A final state stays final; what happened after it (e.g. the agency told of a withdrawal)
    // is still worth telling the référent.
    if (t.message) db.query("UPDATE requests SET message = ?1 WHERE id = ?2").bind(*t.message, request_id).run();
    return;
  }
  std::string at;
  for (const auto& entry : t.entries) {
    if (is_terminal(current)) break;
    insert_history(db, request_id, entry);
    current = parse_request_state(entry.state).value_or(current);
    at = entry.at;
  }
  // One UPDATE for the whole change: the row is rewritten once, not once per column. A column
  // the transition leaves alone is bound to NULL and kept by COALESCE.
  bool reference = t.agency_reference && !t.agency_reference->empty();
  std::optional<std::string> state, updated_at;
  if (!at.empty()) {
    state = to_string(current);
    updated_at = at;
  }
  db.query("UPDATE requests SET retrying = ?1, state = COALESCE(?2, state), updated_at = COALESCE(?3, updated_at), "
           "agency_reference = COALESCE(?4, agency_reference), message = COALESCE(?5, message) WHERE id = ?6")
      .bind(t.retrying, state, updated_at, reference ? t.agency_reference : std::optional<std::string>(), t.message, request_id)
      .run();
  if (!at.empty()) touch_case(db, found->case_id, at);
}

// The fields a connector was given, recorded in the same transaction as the attempt's outcome:
// what the victim is told was disclosed is exactly what was.
void record_disclosure(Database& db, const Delivery& d, const Transition& t) {
  if (t.disclosed.empty()) return;
  std::string fields;
  for (const auto& field : t.disclosed) fields += (fields.empty() ? "" : ",") + field;
  db.query("INSERT INTO disclosures(case_id, request_id, instance, agency, fields, at) VALUES(?1,?2,?3,?4,?5,?6)")
      .bind(d.request.case_id, d.request.id, d.request.instance, d.request.agency, fields,
            format_time(system_now_ms()))
      .run();
}

// Applies an agency's (or a référent's) report to its request, under the rules of
// apply_agency_event (store.h). Returns the request as it was, or nothing when the report moves
// nothing.
std::optional<RequestRecord> apply_event(Database& db, const AgencyEvent& e) {
  auto next = parse_request_state(e.state);
  if (!next) return std::nullopt;
  std::optional<RequestRecord> found;
  {
    Query q = e.request_id.empty()
                  ? db.query("SELECT " + kRequestColumns + " FROM requests r WHERE r.instance = ?1 AND r.agency_reference = ?2")
                  : db.query("SELECT " + kRequestColumns + " FROM requests r WHERE r.id = ?2 AND r.instance = ?1");
    q.bind(e.instance, e.request_id.empty() ? e.agency_reference : e.request_id);
    if (q.next()) found = read_request(q);
  }
  if (!found) return std::nullopt;
  const RequestRecord& r = *found;
  auto current = parse_request_state(r.state).value_or(RequestState::queued);
  if (!agency_may_move(current, *next)) return std::nullopt;
  if (*next == current && e.message == r.message) return std::nullopt;
  // An older report never overwrites a newer one (RFC 3339 UTC with fixed precision sorts as text
  // only when both come from the same formatter, so compare parsed times).
  if (!r.agency_at.empty() && !e.at.empty() && parse_ms(e.at) < parse_ms(r.agency_at)) return std::nullopt;
  Transition t;
  t.entries.push_back({e.state, e.at.empty() ? e.recorded_at : e.at, e.source, e.message});
  t.message = e.message;
  if (!e.agency_reference.empty() && r.agency_reference.empty()) t.agency_reference = e.agency_reference;
  apply_transition(db, r.id, t);
  db.query("UPDATE requests SET agency_at = ?1, updated_at = ?2 WHERE id = ?3")
      .bind(e.at.empty() ? e.recorded_at : e.at, e.recorded_at, r.id)
      .run();
  return found;
}

const std::string kContextColumns = "r.id, r.case_id, r.instance, r.state, r.agency_reference, c.department, c.owner";

RequestContext read_context(const Query& q) {
  return {q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6)};
}

const std::string kReviewColumns = "id, mail_id, department, owner, instance, request_id, case_id, received_at, sealed";

ReviewItem read_review_item(const Query& q) {
  return {q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6), q.text(7), q.text(8)};
}

void settle_row(Database& db, const Settlement& one) {
  const Delivery& d = one.delivery;
  const Transition& t = one.transition;
  if (!one.next_attempt_ms) {
    db.query("DELETE FROM outbox WHERE id = ?1").bind(d.outbox_id).run();
    apply_transition(db, d.request.id, t);
    record_disclosure(db, d, t);
    append_audit(db, dispatch_event(d, t, t.entries.empty() ? "done" : t.entries.back().state));
    return;
  }
  db.query("UPDATE outbox SET next_attempt_at = ?1, lease_owner = NULL, lease_until = 0, attempts = attempts - ?2 "
           "WHERE id = ?3")
      .bind(*one.next_attempt_ms, one.count_attempt ? 0 : 1, d.outbox_id)
      .run();
  apply_transition(db, d.request.id, t);
  // Only an attempt is worth an entry: a row merely waiting for its connector reached no one.
  if (one.count_attempt) append_audit(db, dispatch_event(d, t, "retry"));
}

std::vector<std::string> split_fields(const std::string& fields) {
  std::vector<std::string> out;
  for (size_t start = 0; start < fields.size();) {
    size_t end = fields.find(',', start);
    if (end == std::string::npos) end = fields.size();
    out.push_back(fields.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Ends a read transaction however the reading ended, so that no snapshot pins the WAL.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db) : db_(db) { db_.query("BEGIN").run(); }
  ~ReadTransaction() {
    try {
      db_.query("COMMIT").run();
    } catch (const std::exception&) {
      // A read transaction holds no change; the connection is closed if it is unusable.
    }
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Database& db_;
};

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& file) {
  writer_ = std::make_unique<Database>(file);
  Database& db = *writer_;
  for (const char* statement : kSchema) db.execute(statement);
  migrate(db);
  db.query("INSERT OR IGNORE INTO audit_head(id, seq, hash) VALUES(1, 0, ?1)").bind(kAuditGenesis).run();
  db.execute("PRAGMA user_version=" + std::to_string(kSchemaVersion));
  // A group's pages stay in memory until its commit instead of spilling into the log half-way.
  db.execute("PRAGMA cache_size=-" + std::to_string(kWriterCacheKiB));
  checkpointer_ = std::make_unique<sqlite::Checkpointer>(db, file);
  readers_ = std::make_unique<sqlite::ReaderPool>(file);
  group_commit_ = std::make_unique<sqlite::GroupCommit>(db, [this] { checkpointer_->between_transactions(); });
  checker_ = std::make_unique<Database>(file, false);
  integrity_check_ = std::thread([this, file] {
    Poco::Logger& log = Poco::Logger::get("store");
    auto started = std::chrono::steady_clock::now();
    std::string result;
    try {
      Query check = checker_->query("PRAGMA quick_check");
      result = check.next() ? check.text(0) : "no answer";
    } catch (const std::exception& e) {
      result = e.what();
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    if (result == "ok") {
      log.information("database integrity check: ok (%d ms)", static_cast<int>(ms));
    } else if (!closing_) {
      log.error("database failed its integrity check: %s: %s", file.string(), result);
    }
  });
}

SqliteStore::~SqliteStore() {
  closing_ = true;
  sqlite3_interrupt(checker_->handle());
  integrity_check_.join();
}

template <typename Body>
auto SqliteStore::write(Body&& body) {
  using Result = std::invoke_result_t<Body, Database&>;
  [[maybe_unused]] std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result{};
  group_commit_->run([&](Database& db) {
    if constexpr (std::is_void_v<Result>) {
      body(db);
    } else {
      result = body(db);
    }
  });
  if constexpr (!std::is_void_v<Result>) return std::move(*result);
}

template <typename Body>
auto SqliteStore::read(Body&& body) {
  auto reader = readers_->take();
  ReadTransaction transaction(*reader);
  return body(*reader);
}

std::optional<IdempotencyEntry> SqliteStore::find_idempotency(const std::string& referent,
                                                              const std::string& key) {
  auto reader = readers_->take();
  Query q = reader->query("SELECT body_hash, status, response FROM idempotency WHERE referent = ?1 AND key = ?2");
  q.bind(referent, key);
  if (!q.next()) return std::nullopt;
  return IdempotencyEntry{referent, key, q.text(0), static_cast<int>(q.integer(1)), q.text(2)};
}

std::vector<Delivery> SqliteStore::create_case(const NewCase& c, const std::optional<IdempotencyEntry>& answer) {
  return write([&](Database& db) {
    if (answer) {
      Query taken = db.query("SELECT 1 FROM idempotency WHERE referent = ?1 AND key = ?2");
      if (taken.bind(answer->referent, answer->key).next()) throw IdempotencyRace();
      db.query("INSERT INTO idempotency(referent, key, body_hash, status, response, case_id) VALUES(?1,?2,?3,?4,?5,?6)")
          .bind(answer->referent, answer->key, answer->body_hash, answer->status, answer->response, c.id)
          .run();
    }
    db.query("INSERT INTO cases(id, owner, department, created_at, updated_at) VALUES(?1,?2,?3,?4,?4)")
        .bind(c.id, c.owner, c.department, c.at)
        .run();
    db.query("INSERT INTO people(case_id, person, situation) VALUES(?1,?2,?3)")
        .bind(c.id, c.person.person_json, c.person.situation_json)
        .run();
    auto leased = insert_requests(db, c, parse_ms(c.at), c.lease);
    insert_consents(db, c.id, c.consents);
    append_audit(db, intake_event("case.create", referent_actor(c.owner), c.id, c.requests, c.consents));
    return leased;
  });
}

void SqliteStore::add_requests(const std::string& case_id, const std::string& at,
                               const std::vector<NewRequest>& requests,
                               const std::vector<ConsentEntry>& consents, const std::string& actor) {
  write([&](Database& db) {
    NewCase added;
    added.id = case_id;
    added.at = at;
    added.requests = requests;
    insert_requests(db, added, parse_ms(at), std::nullopt);
    insert_consents(db, case_id, consents);
    touch_case(db, case_id, at);
    append_audit(db, intake_event("case.add_needs", actor, case_id, requests, consents));
  });
}

std::optional<CaseRecord> SqliteStore::find_case(const std::string& case_id) {
  return read([&](Database& db) -> std::optional<CaseRecord> {
    CaseRecord c;
    {
      Query q = db.query("SELECT " + kCaseColumns + " FROM cases WHERE id = ?1");
      if (!q.bind(case_id).next()) return std::nullopt;
      c = read_case(q);
    }
    for (Query q = db.query("SELECT referent FROM case_delegates WHERE case_id = ?1 ORDER BY at, referent", case_id);
         q.next();) {
      c.delegates.push_back(q.text(0));
    }
    std::map<std::string, size_t> index;
    for (Query q = db.query("SELECT " + kRequestColumns + " FROM requests r WHERE r.case_id = ?1 ORDER BY r.rowid", case_id);
         q.next();) {
      index[q.text(0)] = c.requests.size();
      c.requests.push_back(read_request(q));
    }
    for (Query q = db.query("SELECT h.request_id, h.state, h.at, h.source, h.detail FROM history h "
                                      "JOIN requests r ON r.id = h.request_id WHERE r.case_id = ?1 ORDER BY h.id", case_id);
         q.next();) {
      auto it = index.find(q.text(0));
      if (it == index.end()) continue;
      c.requests[it->second].history.push_back({q.text(1), q.text(2), q.text(3), q.text(4)});
    }
    return c;
  });
}

std::optional<PersonRecord> SqliteStore::find_person(const std::string& case_id) {
  auto reader = readers_->take();
  Query q = reader->query("SELECT person, situation FROM people WHERE case_id = ?1");
  if (!q.bind(case_id).next()) return std::nullopt;
  return PersonRecord{q.text(0), q.text(1)};
}

CasePage SqliteStore::list_cases(const std::string& referent, int limit, std::optional<int64_t> before_seq) {
  return read([&](Database& db) {
    CasePage page;
    int rows = 0;
    // The référent's own cases and those shared with them, each part on its own index.
    for (Query q = db.query("SELECT " + kCaseColumns + " FROM cases WHERE owner = ?1 AND seq < ?2 "
                            "UNION ALL SELECT " + kCaseColumns + " FROM cases "
                            "WHERE id IN (SELECT case_id FROM case_delegates WHERE referent = ?1) AND owner <> ?1 "
                            "AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
                            referent, before_seq.value_or(INT64_MAX), limit + 1);
         q.next() && ++rows <= limit;) {
      page.cases.push_back(read_case(q));
    }
    if (rows > limit && !page.cases.empty()) page.next_before_seq = page.cases.back().seq;
    for (CaseRecord& c : page.cases) {
      for (Query q = db.query("SELECT " + kRequestColumns + " FROM requests r WHERE r.case_id = ?1 ORDER BY r.rowid", c.id);
           q.next();) {
        c.requests.push_back(read_request(q));
      }
    }
    return page;
  });
}

bool SqliteStore::retry_request(const std::string& request_id, const std::string& at, const std::string& actor) {
  return write([&](Database& db) {
    auto found = request_state(db, request_id);
    std::string state = found ? found->state : "";
    if (state != "failed" && state != "info_requested") return false;
    // The same key as the first attempt: if that attempt did reach the agency after all, the
    // agency recognises the request instead of opening a second file.
    insert_outbox(db, request_id, found->instance, "deliver", found->delivery_key, "", parse_ms(at));
    Transition t;
    t.entries.push_back({"queued", at, "referent", "nouvel essai demandé"});
    t.message = "";
    apply_transition(db, request_id, t);
    append_audit(db, audit_event(actor, "request.retry", found->case_id, request_id, {{"from", state}, {"to", "queued"}}));
    return true;
  });
}

bool SqliteStore::answer_request(const std::string& request_id, const std::string& key, const std::string& sealed,
                                 const std::string& at, const std::string& actor) {
  return write([&](Database& db) {
    auto found = request_state(db, request_id);
    if (!found || found->state != "info_requested") return false;
    insert_outbox(db, request_id, found->instance, "answer", key, sealed, parse_ms(at));
    Transition t;
    t.entries.push_back({"in_review", at, "referent", "réponse du référent"});
    t.message = "réponse en cours d'envoi à l'organisme";
    apply_transition(db, request_id, t);
    // Not the answer: it is the référent's free text.
    append_audit(db, audit_event(actor, "request.answer", found->case_id, request_id, {{"from", found->state}}));
    return true;
  });
}

bool SqliteStore::withdraw_request(const std::string& request_id, const std::string& at,
                                   const std::string& reason, const std::string& source, const std::string& actor) {
  return write([&](Database& db) {
    auto found = request_state(db, request_id);
    if (!found) return false;
    auto state = parse_request_state(found->state).value_or(RequestState::queued);
    if (is_terminal(state)) return false;

    // A delivery never attempted can simply be dropped: the agency never heard of it. Any
    // attempt, even one that failed, may have reached the agency, so it is told.
    int64_t pending = 0, attempted = 0;
    {
      Query q = db.query("SELECT COUNT(*), COALESCE(SUM(attempts), 0) FROM outbox WHERE request_id = ?1 "
                         "AND operation = 'deliver'");
      if (q.bind(request_id).next()) {
        pending = q.integer(0);
        attempted = q.integer(1);
      }
    }
    bool agency_may_know = attempted > 0 || (state != RequestState::queued && state != RequestState::failed);
    if (pending && attempted == 0) {
      db.query("DELETE FROM outbox WHERE request_id = ?1 AND operation = 'deliver' AND attempts = 0").bind(request_id).run();
    }
    if (agency_may_know) {
      insert_outbox(db, request_id, found->instance, "withdraw", found->delivery_key + "-withdraw", reason, parse_ms(at));
    }
    Transition t;
    t.entries.push_back({"withdrawn", at, source, ""});
    apply_transition(db, request_id, t);
    // Not the reason: it is the référent's free text.
    append_audit(db, audit_event(actor, "request.withdraw", found->case_id, request_id,
                                 {{"from", to_string(state)}, {"agency_told", agency_may_know}, {"source", source}}));
    return true;
  });
}

void SqliteStore::record_consent(const std::string& case_id, const ConsentEntry& consent) {
  write([&](Database& db) {
    insert_consents(db, case_id, {consent});
    touch_case(db, case_id, consent.at);
    append_audit(db, audit_event(referent_actor(consent.referent), "consent.record", case_id, "",
                                 {{"need", consent.need}, {"given", consent.given}, {"channel", consent.channel}}));
  });
}

bool SqliteStore::set_frozen(const std::string& case_id, bool frozen, const std::string& at, const std::string& actor) {
  return write([&](Database& db) {
    if (db.query("UPDATE cases SET frozen = ?1, updated_at = ?2 WHERE id = ?3").bind(frozen, at, case_id).run() == 0) {
      return false;
    }
    append_audit(db, audit_event(actor, frozen ? "case.freeze" : "case.unfreeze", case_id, ""));
    return true;
  });
}

bool SqliteStore::add_delegate(const std::string& case_id, const std::string& referent, const std::string& at,
                               const std::string& actor) {
  return write([&](Database& db) {
    Query insert = db.query("INSERT OR IGNORE INTO case_delegates(case_id, referent, at) SELECT id, ?1, ?2 FROM cases "
                            "WHERE id = ?3");
    if (insert.bind(referent, at, case_id).run() == 0) return false;
    append_audit(db, audit_event(actor, "case.delegate", case_id, "", {{"delegate", referent}}));
    return true;
  });
}

bool SqliteStore::remove_delegate(const std::string& case_id, const std::string& referent, const std::string& actor) {
  return write([&](Database& db) {
    if (db.query("DELETE FROM case_delegates WHERE case_id = ?1 AND referent = ?2").bind(case_id, referent).run() == 0) {
      return false;
    }
    append_audit(db, audit_event(actor, "case.undelegate", case_id, "", {{"delegate", referent}}));
    return true;
  });
}

bool SqliteStore::erase_case(const std::string& case_id, const std::string& actor) {
  return write([&](Database& db) {
    const char* const kChildren[] = {
        "DELETE FROM history WHERE request_id IN (SELECT id FROM requests WHERE case_id = ?1)",
        "DELETE FROM outbox WHERE request_id IN (SELECT id FROM requests WHERE case_id = ?1)",
        "DELETE FROM requests WHERE case_id = ?1",
        "DELETE FROM consents WHERE case_id = ?1",
        "DELETE FROM people WHERE case_id = ?1",
        "DELETE FROM idempotency WHERE case_id = ?1",
        "DELETE FROM disclosures WHERE case_id = ?1",
        "DELETE FROM review_items WHERE case_id = ?1",
        "DELETE FROM case_delegates WHERE case_id = ?1",
    };
    for (const char* statement : kChildren) db.query(statement).bind(case_id).run();
    if (db.query("DELETE FROM cases WHERE id = ?1").bind(case_id).run() == 0) return false;
    append_audit(db, audit_event(actor, "case.erase", case_id, ""));
    return true;
  });
}

std::vector<Delivery> SqliteStore::claim(const std::string& worker, int64_t now_ms, int64_t lease_ms,
                                         int limit) {
  return write([&](Database& db) {
    // Only the oldest row of a request is eligible: a withdrawal never overtakes its delivery.
    // Nothing about a frozen case leaves the hub: its rows wait, unclaimed, until it is unfrozen.
    static const std::string kEligible =
        "FROM outbox o JOIN requests r ON r.id = o.request_id JOIN cases c ON c.id = r.case_id "
        "WHERE o.next_attempt_at <= ?1 AND c.frozen = 0 "
        "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.request_id = o.request_id AND p.id < o.id) ";
    std::vector<Delivery> out;
    // One instance per batch, the one whose row is due first: a slow agency holds its own rows only.
    std::string instance;
    {
      Query first = db.query("SELECT o.instance " + kEligible + "ORDER BY o.next_attempt_at LIMIT 1");
      if (!first.bind(now_ms).next()) return out;
      instance = first.text(0);
    }
    {
      Query pick = db.query("SELECT o.id, o.operation, o.attempts, o.idempotency_key, o.reason, o.created_ms, "
                            "c.owner, c.department, c.frozen, " + kRequestColumns + " " + kEligible +
                            "AND o.instance = ?2 ORDER BY o.next_attempt_at LIMIT ?3");
      for (pick.bind(now_ms, instance, limit); pick.next();) {
        Delivery d;
        d.outbox_id = pick.integer(0);
        d.operation = pick.text(1);
        d.attempts = static_cast<int>(pick.integer(2)) + 1;  // this claim is an attempt
        d.idempotency_key = pick.text(3);
        d.reason = pick.text(4);
        d.first_queued_ms = pick.integer(5);
        d.case_owner = pick.text(6);
        d.department = pick.text(7);
        d.frozen = pick.integer(8) != 0;
        d.request = read_request(pick, 9);
        out.push_back(std::move(d));
      }
    }
    // A leased row is not due again before its lease ends: the due index alone finds what is free.
    for (const Delivery& d : out) {
      db.query("UPDATE outbox SET lease_owner = ?1, lease_until = ?2, next_attempt_at = ?2, attempts = attempts + 1 "
               "WHERE id = ?3")
          .bind(worker, now_ms + lease_ms, d.outbox_id)
          .run();
    }
    return out;
  });
}

std::vector<int64_t> SqliteStore::still_leased(const std::string& owner, const std::vector<int64_t>& outbox_ids) {
  return read([&](Database& db) {
    std::vector<int64_t> out;
    for (int64_t id : outbox_ids) {
      Query q = db.query("SELECT 1 FROM outbox o JOIN requests r ON r.id = o.request_id JOIN cases c ON c.id = r.case_id "
                         "WHERE o.id = ?1 AND o.lease_owner = ?2 AND c.frozen = 0", id, owner);
      if (q.next()) out.push_back(id);
    }
    return out;
  });
}

void SqliteStore::settle(const std::vector<Settlement>& settlements) {
  write([&](Database& db) {
    for (const Settlement& one : settlements) settle_row(db, one);
  });
}

std::vector<Disclosure> SqliteStore::disclosures(const std::string& case_id) {
  return read([&](Database& db) {
    std::vector<Disclosure> out;
    Query q = db.query("SELECT request_id, instance, agency, fields, at FROM disclosures WHERE case_id = ?1 ORDER BY id");
    for (q.bind(case_id); q.next();) {
      out.push_back({q.text(0), q.text(1), q.text(2), split_fields(q.text(3)), q.text(4)});
    }
    return out;
  });
}

std::optional<int64_t> SqliteStore::next_due_ms() {
  auto reader = readers_->take();
  Query q = reader->query("SELECT MIN(next_attempt_at) FROM outbox");
  if (!q.next() || q.is_null(0)) return std::nullopt;
  return q.integer(0);
}

OutboxStats SqliteStore::outbox_stats() {
  auto reader = readers_->take();
  Query q = reader->query("SELECT COUNT(*), COALESCE(MIN(created_ms), 0) FROM outbox");
  if (!q.next()) return {};
  return {q.integer(0), q.integer(1)};
}

std::vector<std::pair<std::string, int64_t>> SqliteStore::overdue_by_instance(const std::string& now_text) {
  auto reader = readers_->take();
  // Deadlines are stored by format_time(), so they compare as text.
  Query q = reader->query("SELECT instance, COUNT(*) FROM requests WHERE deadline IS NOT NULL AND deadline <> '' "
                          "AND deadline < ?1 AND state NOT IN " + kTerminalList + " GROUP BY instance");
  std::vector<std::pair<std::string, int64_t>> out;
  for (q.bind(now_text); q.next();) out.emplace_back(q.text(0), q.integer(1));
  return out;
}

std::vector<std::string> SqliteStore::settled_cases_before(const std::string& before, int limit) {
  auto reader = readers_->take();
  // Times are stored by format_time(), so they compare as text.
  Query q = reader->query("SELECT c.id FROM cases c WHERE c.updated_at < ?1 AND NOT EXISTS "
                          "(SELECT 1 FROM requests r WHERE r.case_id = c.id AND r.state NOT IN " + kTerminalList +
                          ") ORDER BY c.seq LIMIT ?2");
  std::vector<std::string> out;
  for (q.bind(before, limit); q.next();) out.push_back(q.text(0));
  return out;
}

bool SqliteStore::apply_agency_event(const AgencyEvent& e) {
  return write([&](Database& db) {
    auto before = apply_event(db, e);
    if (!before) return false;
    // Not the message: it is the agency's free text.
    append_audit(db, audit_event(agency_actor(e.instance), "request.state", before->case_id, before->id,
                                 {{"from", before->state}, {"to", e.state}, {"source", e.source}}));
    return true;
  });
}

std::vector<OpenRequest> SqliteStore::open_requests(const std::string& instance, const std::string& after_request_id,
                                                    int limit) {
  auto reader = readers_->take();
  Query q = reader->query("SELECT id, agency_reference, state FROM requests WHERE instance = ?1 AND id > ?2 AND " +
                          kOpen + " AND agency_reference IS NOT NULL AND state NOT IN ('queued','failed') "
                          "ORDER BY id LIMIT ?3");
  std::vector<OpenRequest> out;
  for (q.bind(instance, after_request_id, limit); q.next();) out.push_back({q.text(0), q.text(1), q.text(2)});
  return out;
}

std::optional<std::string> SqliteStore::cursor(const std::string& instance) {
  auto reader = readers_->take();
  Query q = reader->query("SELECT cursor FROM cursors WHERE instance = ?1");
  if (!q.bind(instance).next()) return std::nullopt;
  return q.text(0);
}

void SqliteStore::set_cursor(const std::string& instance, const std::string& cursor) {
  write([&](Database& db) {
    db.query("INSERT INTO cursors(instance, cursor) VALUES(?1, ?2) ON CONFLICT(instance) DO UPDATE SET cursor = excluded.cursor")
        .bind(instance, cursor)
        .run();
  });
}

std::optional<RequestContext> SqliteStore::match_mail(const std::string& correlation, const std::string& delivery_key) {
  auto reader = readers_->take();
  for (const auto& [column, value] : {std::pair<std::string, std::string>("correlation", correlation),
                                     std::pair<std::string, std::string>("delivery_key", delivery_key)}) {
    if (value.empty()) continue;
    Query q = reader->query("SELECT " + kContextColumns + " FROM requests r JOIN cases c ON c.id = r.case_id WHERE r." +
                            column + " = ?1");
    if (q.bind(value).next()) return read_context(q);
  }
  return std::nullopt;
}

std::optional<RequestContext> SqliteStore::find_request(const std::string& request_id) {
  auto reader = readers_->take();
  Query q = reader->query("SELECT " + kContextColumns + " FROM requests r JOIN cases c ON c.id = r.case_id WHERE r.id = ?1");
  if (!q.bind(request_id).next()) return std::nullopt;
  return read_context(q);
}

bool SqliteStore::fail_request(const std::string& request_id, const std::string& at, const std::string& reason) {
  return write([&](Database& db) {
    auto found = request_state(db, request_id);
    // Only a request the agency has not answered: an answer proves a copy arrived somewhere.
    if (!found || found->state != "sent") return false;
    Transition t;
    t.entries.push_back({"failed", at, "email", reason});
    t.message = reason;
    apply_transition(db, request_id, t);
    // Not the reason: a bounce's diagnostic may quote the address it was sent to.
    append_audit(db, audit_event("hub", "mail.bounce", found->case_id, request_id, {{"from", "sent"}, {"to", "failed"}}));
    return true;
  });
}

bool SqliteStore::add_review_item(const ReviewItem& i) {
  return write([&](Database& db) {
    if (db.query("SELECT 1 FROM review_items WHERE mail_id = ?1").bind(i.mail_id).next()) return false;
    db.query("INSERT INTO review_items(id, mail_id, department, owner, instance, request_id, case_id, received_at, sealed) "
             "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)")
        .bind(i.id, i.mail_id, i.department, i.owner, i.instance, i.request_id, i.case_id, i.received_at, i.sealed)
        .run();
    append_audit(db, audit_event("hub", "review.add", i.case_id, i.request_id, {{"item", i.id}, {"instance", i.instance}}));
    return true;
  });
}

std::vector<ReviewItem> SqliteStore::review_items(const std::string& department) {
  auto reader = readers_->take();
  Query q = reader->query("SELECT " + kReviewColumns + " FROM review_items WHERE department = ?1 AND closed_at IS NULL "
                          "ORDER BY seq");
  std::vector<ReviewItem> items;
  for (q.bind(department); q.next();) items.push_back(read_review_item(q));
  return items;
}

std::optional<ReviewItem> SqliteStore::find_review_item(const std::string& id) {
  auto reader = readers_->take();
  Query q = reader->query("SELECT " + kReviewColumns + " FROM review_items WHERE id = ?1 AND closed_at IS NULL");
  if (!q.bind(id).next()) return std::nullopt;
  return read_review_item(q);
}

bool SqliteStore::file_review_item(const std::string& id, const AgencyEvent& event, const std::string& actor) {
  return write([&](Database& db) {
    if (!db.query("SELECT 1 FROM review_items WHERE id = ?1 AND closed_at IS NULL").bind(id).next()) return false;
    auto before = apply_event(db, event);
    if (!before) return false;
    db.query("UPDATE review_items SET closed_at = ?1, sealed = '' WHERE id = ?2").bind(event.recorded_at, id).run();
    append_audit(db, audit_event(actor, "review.file", before->case_id, before->id,
                                 {{"item", id}, {"from", before->state}, {"to", event.state}}));
    return true;
  });
}

bool SqliteStore::dismiss_review_item(const std::string& id, const std::string& at, const std::string& actor) {
  return write([&](Database& db) {
    std::string case_id, request_id;
    {
      Query q = db.query("SELECT case_id, request_id FROM review_items WHERE id = ?1 AND closed_at IS NULL");
      if (!q.bind(id).next()) return false;
      case_id = q.text(0);
      request_id = q.text(1);
    }
    db.query("UPDATE review_items SET closed_at = ?1, sealed = '' WHERE id = ?2").bind(at, id).run();
    append_audit(db, audit_event(actor, "review.dismiss", case_id, request_id, {{"item", id}}));
    return true;
  });
}

void SqliteStore::record_audit(const AuditEvent& event) {
  write([&](Database& db) { append_audit(db, event); });
}

std::vector<AuditEntry> SqliteStore::audit_entries(const std::string& case_id, int64_t after_seq, int limit) {
  auto reader = readers_->take();
  static const std::string kSelect =
      "SELECT seq, at, actor, action, case_id, request_id, detail, prev_hash, hash FROM audit ";
  Query q = case_id.empty() ? reader->query(kSelect + "WHERE seq > ?2 ORDER BY seq LIMIT ?3")
                            : reader->query(kSelect + "WHERE case_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
  std::vector<AuditEntry> out;
  for (q.bind(case_id, after_seq, limit); q.next();) {
    out.push_back({q.integer(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6), q.text(7), q.text(8)});
  }
  return out;
}

AuditHead SqliteStore::audit_head() {
  auto reader = readers_->take();
  Query q = reader->query("SELECT seq, hash FROM audit_head WHERE id = 1");
  if (!q.next()) return {};
  return {q.integer(0), q.text(1)};
}

}  // namespace guichet::store
