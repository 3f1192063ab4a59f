#include "hub/store/sqlite/sqlite_store.h"

#include "hub/domain/request_state.h"
#include "hub/domain/time.h"
#include "hub/store/audit_chain.h"
#include "hub/store/sqlite/storage_failure.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>

#include <map>
#include <type_traits>

namespace guichet::store {
namespace {

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Session;
using Poco::Data::Statement;

constexpr int kSchemaVersion = 1;

// Requests in these states have nothing more to do; the partial unique index below lets a case
// hold one open request per need and serving agency (a department may have a need served by
// several agencies), enforced by the database itself.
constexpr const char* kTerminalList = "('accepted','refused','closed','withdrawn')";

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
    // Replaced by the index below when needs could first be served by several agencies.
    "DROP INDEX IF EXISTS requests_one_open_per_need",
    R"(CREATE UNIQUE INDEX IF NOT EXISTS requests_one_open_per_agency ON requests(case_id, need, instance)
         WHERE state NOT IN ('accepted','refused','closed','withdrawn'))",
    R"(CREATE TABLE IF NOT EXISTS history(
         id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL, state TEXT NOT NULL,
         source TEXT NOT NULL, at TEXT NOT NULL, detail TEXT))",
    "CREATE INDEX IF NOT EXISTS history_by_request ON history(request_id, id)",
    R"(CREATE TABLE IF NOT EXISTS outbox(
         id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL, operation TEXT NOT NULL,
         idempotency_key TEXT NOT NULL, reason TEXT, attempts INTEGER NOT NULL DEFAULT 0,
         next_attempt_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0,
         created_ms INTEGER NOT NULL))",
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

int64_t parse_ms(const std::string& rfc3339) { return parse_time(rfc3339).value_or(0); }

// A query's result read by column position; NULL reads as empty text or zero.
class Rows {
 public:
  explicit Rows(Statement& statement) : set_(statement) {}
  size_t size() const { return set_.rowCount(); }
  std::string text(size_t row, size_t column) const {
    if (set_.isNull(column, row)) return {};
    return set_.value(column, row).convert<std::string>();
  }
  int64_t integer(size_t row, size_t column) const {
    if (set_.isNull(column, row)) return 0;
    return set_.value(column, row).convert<Poco::Int64>();
  }

 private:
  RecordSet set_;
};

std::string quoted_list(const std::vector<std::string>& values) {
  // Ids are minted by the hub ([A-Za-z0-9_]), but quote them anyway: a list is spliced into SQL.
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    std::string escaped;
    for (char c : values[i]) {
      escaped += c;
      if (c == '\'') escaped += '\'';
    }
    out += (i ? ",'" : "'") + escaped + "'";
  }
  return out + ")";
}

constexpr const char* kRequestColumns =
    "r.id, r.case_id, r.need, r.need_json, r.instance, r.agency, r.state, r.agency_reference, "
    "r.message, r.deadline, r.correlation, r.delivery_key, r.updated_at, r.agency_at, r.retrying";
constexpr size_t kRequestColumnCount = 15;

RequestRecord read_request(const Rows& rows, size_t row, size_t first = 0) {
  RequestRecord r;
  r.id = rows.text(row, first + 0);
  r.case_id = rows.text(row, first + 1);
  r.need = rows.text(row, first + 2);
  r.need_json = rows.text(row, first + 3);
  r.instance = rows.text(row, first + 4);
  r.agency = rows.text(row, first + 5);
  r.state = rows.text(row, first + 6);
  r.agency_reference = rows.text(row, first + 7);
  r.message = rows.text(row, first + 8);
  r.deadline = rows.text(row, first + 9);
  r.correlation = rows.text(row, first + 10);
  r.delivery_key = rows.text(row, first + 11);
  r.updated_at = rows.text(row, first + 12);
  r.agency_at = rows.text(row, first + 13);
  r.retrying = rows.integer(row, first + 14) != 0;
  return r;
}

void insert_history(Session& s, const std::string& request_id, const HistoryEntry& entry) {
  s << "INSERT INTO history(request_id, state, source, at, detail) VALUES(?,?,?,?,?)",
      bind(request_id), bind(entry.state), bind(entry.source), bind(entry.at), bind(entry.detail), now;
}

// Appends `event` to the audit log, in the caller's transaction: the log holds an action exactly
// when the action's change is committed.
void append_audit(Session& s, const AuditEvent& event) {
  Poco::Int64 seq = 0;
  std::string hash;
  s << "SELECT seq, hash FROM audit_head WHERE id = 1", into(seq), into(hash), now;
  std::string at = format_time(system_now_ms());
  AuditEntry e = chain_entry(seq + 1, at, hash, event);
  s << "INSERT INTO audit(seq, at, actor, action, case_id, request_id, detail, prev_hash, hash) "
       "VALUES(?,?,?,?,?,?,?,?,?)",
      bind(e.seq), bind(e.at), bind(e.actor), bind(e.action), bind(e.case_id), bind(e.request_id), bind(e.detail),
      bind(e.prev_hash), bind(e.hash), now;
  s << "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", bind(e.seq), bind(e.hash), now;
}

void insert_outbox(Session& s, const std::string& request_id, const std::string& operation,
                   const std::string& key, const std::string& reason, int64_t due_ms) {
  Poco::Int64 due = due_ms;
  s << "INSERT INTO outbox(request_id, operation, idempotency_key, reason, next_attempt_at, created_ms) "
       "VALUES(?,?,?,?,?,?)",
      bind(request_id), bind(operation), bind(key), bind(reason), bind(due), bind(due), now;
}

void insert_requests(Session& s, const std::string& case_id, const std::string& at, int64_t at_ms,
                     const std::vector<NewRequest>& requests) {
  for (const auto& r : requests) {
    s << "INSERT INTO requests(id, case_id, need, need_json, instance, agency, state, deadline, "
         "correlation, delivery_key, created_at, updated_at) VALUES(?,?,?,?,?,?,'queued',?,?,?,?,?)",
        bind(r.id), bind(case_id), bind(r.need), bind(r.need_json), bind(r.instance), bind(r.agency),
        bind(r.deadline), bind(r.correlation), bind(r.delivery_key), bind(at), bind(at), now;
    insert_history(s, r.id, {"queued", at, "hub", ""});
    insert_outbox(s, r.id, "deliver", r.delivery_key, "", at_ms);
  }
}

void insert_consents(Session& s, const std::string& case_id, const std::vector<ConsentEntry>& consents) {
  for (const auto& c : consents) {
    int given = c.given ? 1 : 0;
    s << "INSERT INTO consents(case_id, need, given, at, referent, channel) VALUES(?,?,?,?,?,?)",
        bind(case_id), bind(c.need), bind(given), bind(c.at), bind(c.referent), bind(c.channel), now;
  }
}

void touch_case(Session& s, const std::string& case_id, const std::string& at) {
  s << "UPDATE cases SET updated_at = ? WHERE id = ?", bind(at), bind(case_id), now;
}

// Applies a transition to a request; a request in a final state keeps it (a late delivery
// outcome must not resurrect a withdrawn request) but the history still records what happened.
void apply_transition(Session& s, const std::string& request_id, const Transition& t) {
  Statement q(s);
  q << "SELECT state, case_id FROM requests WHERE id = ?", bind(request_id);
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return;
  auto current = parse_request_state(rows.text(0, 0)).value_or(RequestState::queued);
  std::string case_id = rows.text(0, 1);
  if (is_terminal(current)) {
    // A final state stays final; what happened after it (e.g. the agency told of a withdrawal)
    // is still worth telling the référent.
    if (t.message) {
      s << "UPDATE requests SET message = ? WHERE id = ?", bind(*t.message), bind(request_id), now;
    }
    return;
  }
  std::string at;
  for (const auto& entry : t.entries) {
    if (is_terminal(current)) break;
    insert_history(s, request_id, entry);
    current = parse_request_state(entry.state).value_or(current);
    at = entry.at;
  }
  // One UPDATE for the whole change: the row is rewritten once, not once per column.
  int retrying = t.retrying ? 1 : 0;
  std::string sql = "UPDATE requests SET retrying = ?";
  std::string state = to_string(current);
  if (!at.empty()) sql += ", state = ?, updated_at = ?";
  bool reference = t.agency_reference && !t.agency_reference->empty();
  if (reference) sql += ", agency_reference = ?";
  if (t.message) sql += ", message = ?";
  sql += " WHERE id = ?";
  Statement u(s);
  u << sql, bind(retrying);
  if (!at.empty()) u, bind(state), bind(at);
  if (reference) u, bind(*t.agency_reference);
  if (t.message) u, bind(*t.message);
  u, bind(request_id);
  u.execute();
  if (!at.empty()) touch_case(s, case_id, at);
}

// The fields a connector was given, recorded in the same transaction as the attempt's outcome:
// what the victim is told was disclosed is exactly what was.
void record_disclosure(Session& s, const Delivery& d, const Transition& t) {
  if (t.disclosed.empty()) return;
  std::string fields;
  for (const auto& field : t.disclosed) fields += (fields.empty() ? "" : ",") + field;
  std::string at = format_time(system_now_ms());
  s << "INSERT INTO disclosures(case_id, request_id, instance, agency, fields, at) VALUES(?,?,?,?,?,?)",
      bind(d.request.case_id), bind(d.request.id), bind(d.request.instance), bind(d.request.agency),
      bind(fields), bind(at), now;
}

// Applies an agency's (or a référent's) report to its request, under the rules of
// apply_agency_event (store.h). Returns the request as it was, or nothing when the report moves
// nothing.
std::optional<RequestRecord> apply_event(Session& s, const AgencyEvent& e) {
  auto next = parse_request_state(e.state);
  if (!next) return std::nullopt;
  Statement q(s);
  if (!e.request_id.empty()) {
    q << std::string("SELECT ") + kRequestColumns + " FROM requests r WHERE r.id = ? AND r.instance = ?",
        bind(e.request_id), bind(e.instance);
  } else {
    q << std::string("SELECT ") + kRequestColumns +
             " FROM requests r WHERE r.instance = ? AND r.agency_reference = ?",
        bind(e.instance), bind(e.agency_reference);
  }
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return std::nullopt;
  RequestRecord r = read_request(rows, 0);
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
  apply_transition(s, r.id, t);
  std::string agency_at = e.at.empty() ? e.recorded_at : e.at;
  s << "UPDATE requests SET agency_at = ?, updated_at = ? WHERE id = ?", bind(agency_at),
      bind(e.recorded_at), bind(r.id), now;
  return r;
}

constexpr const char* kContextColumns =
    "r.id, r.case_id, r.instance, r.state, r.agency_reference, c.department, c.owner";

RequestContext read_context(const Rows& rows, size_t row) {
  return {rows.text(row, 0), rows.text(row, 1), rows.text(row, 2), rows.text(row, 3),
          rows.text(row, 4), rows.text(row, 5), rows.text(row, 6)};
}

constexpr const char* kReviewColumns =
    "id, mail_id, department, owner, instance, request_id, case_id, received_at, sealed";

ReviewItem read_review_item(const Rows& rows, size_t row) {
  return {rows.text(row, 0), rows.text(row, 1), rows.text(row, 2), rows.text(row, 3), rows.text(row, 4),
          rows.text(row, 5), rows.text(row, 6), rows.text(row, 7), rows.text(row, 8)};
}

void settle_row(Session& s, const Settlement& one) {
  const Delivery& d = one.delivery;
  const Transition& t = one.transition;
  Poco::Int64 id = d.outbox_id;
  if (!one.next_attempt_ms) {
    s << "DELETE FROM outbox WHERE id = ?", bind(id), now;
    apply_transition(s, d.request.id, t);
    record_disclosure(s, d, t);
    append_audit(s, dispatch_event(d, t, t.entries.empty() ? "done" : t.entries.back().state));
    return;
  }
  Poco::Int64 due = *one.next_attempt_ms, refund = one.count_attempt ? 0 : 1;
  s << "UPDATE outbox SET next_attempt_at = ?, lease_owner = NULL, lease_until = 0, "
       "attempts = attempts - ? WHERE id = ?",
      bind(due), bind(refund), bind(id), now;
  apply_transition(s, d.request.id, t);
  // Only an attempt is worth an entry: a row merely waiting for its connector reached no one.
  if (one.count_attempt) append_audit(s, dispatch_event(d, t, "retry"));
}

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& file) : file_(file) {
  Poco::Data::SQLite::Connector::registerConnector();
  try {
    writer_ = std::make_unique<Session>("SQLite", file.string());
    Session& s = *writer_;
    s << "PRAGMA journal_mode=WAL", now;
    s << "PRAGMA synchronous=FULL", now;
    s << "PRAGMA foreign_keys=ON", now;
    s << "PRAGMA busy_timeout=5000", now;
    std::string integrity;
    s << "PRAGMA quick_check", into(integrity), now;
    if (integrity != "ok") throw StoreUnavailable("database failed its integrity check: " + file.string());
    for (const char* statement : kSchema) s << statement, now;
    s << "INSERT OR IGNORE INTO audit_head(id, seq, hash) VALUES(1, 0, ?)", bind(kAuditGenesis), now;
    s << "PRAGMA user_version=" + std::to_string(kSchemaVersion), now;
    readers_ = std::make_unique<Poco::Data::SessionPool>("SQLite", file.string(), 1, 64, 60);
    group_commit_ = std::make_unique<GroupCommit>(*writer_);
  } catch (const Poco::Exception& e) {
    throw StoreUnavailable("cannot open database " + file.string() + ": " + e.displayText());
  }
}

SqliteStore::~SqliteStore() = default;

Session SqliteStore::reader() {
  Session session = readers_->get();
  session << "PRAGMA busy_timeout=5000", now;
  return session;
}

template <typename Body>
auto SqliteStore::write(Body&& body) {
  using Result = std::invoke_result_t<Body, Session&>;
  [[maybe_unused]] std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result{};
  group_commit_->run([&](Session& s) {
    try {
      if constexpr (std::is_void_v<Result>) {
        body(s);
      } else {
        result = body(s);
      }
    } catch (const Poco::Exception& e) {
      if (is_storage_failure(e)) throw StoreUnavailable("database unavailable: " + e.displayText());
      throw;
    }
  });
  if constexpr (!std::is_void_v<Result>) return std::move(*result);
}

std::optional<IdempotencyEntry> SqliteStore::find_idempotency(const std::string& referent,
                                                              const std::string& key) {
  Session s = reader();
  Statement q(s);
  q << "SELECT body_hash, status, response FROM idempotency WHERE referent = ? AND key = ?",
      bind(referent), bind(key);
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return std::nullopt;
  return IdempotencyEntry{referent, key, rows.text(0, 0), static_cast<int>(rows.integer(0, 1)),
                          rows.text(0, 2)};
}

void SqliteStore::create_case(const NewCase& c, const std::optional<IdempotencyEntry>& answer) {
  write([&](Session& s) {
    if (answer) {
      Poco::Int64 taken = 0;
      s << "SELECT COUNT(*) FROM idempotency WHERE referent = ? AND key = ?", into(taken),
          bind(answer->referent), bind(answer->key), now;
      if (taken) throw IdempotencyRace();
      Poco::Int64 status = answer->status;
      s << "INSERT INTO idempotency(referent, key, body_hash, status, response, case_id) "
           "VALUES(?,?,?,?,?,?)",
          bind(answer->referent), bind(answer->key), bind(answer->body_hash), bind(status),
          bind(answer->response), bind(c.id), now;
    }
    s << "INSERT INTO cases(id, owner, department, created_at, updated_at) VALUES(?,?,?,?,?)",
        bind(c.id), bind(c.owner), bind(c.department), bind(c.at), bind(c.at), now;
    s << "INSERT INTO people(case_id, person, situation) VALUES(?,?,?)", bind(c.id),
        bind(c.person.person_json), bind(c.person.situation_json), now;
    insert_requests(s, c.id, c.at, parse_ms(c.at), c.requests);
    insert_consents(s, c.id, c.consents);
    append_audit(s, intake_event("case.create", referent_actor(c.owner), c.id, c.requests, c.consents));
  });
}

void SqliteStore::add_requests(const std::string& case_id, const std::string& at,
                               const std::vector<NewRequest>& requests,
                               const std::vector<ConsentEntry>& consents, const std::string& actor) {
  write([&](Session& s) {
    insert_requests(s, case_id, at, parse_ms(at), requests);
    insert_consents(s, case_id, consents);
    touch_case(s, case_id, at);
    append_audit(s, intake_event("case.add_needs", actor, case_id, requests, consents));
  });
}

std::optional<CaseRecord> SqliteStore::find_case(const std::string& case_id) {
  Session s = reader();
  Statement q(s);
  q << "SELECT seq, id, owner, department, created_at, updated_at, frozen FROM cases WHERE id = ?",
      bind(case_id);
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return std::nullopt;
  CaseRecord c;
  c.seq = rows.integer(0, 0);
  c.id = rows.text(0, 1);
  c.owner = rows.text(0, 2);
  c.department = rows.text(0, 3);
  c.created_at = rows.text(0, 4);
  c.updated_at = rows.text(0, 5);
  c.frozen = rows.integer(0, 6) != 0;
  Statement dq(s);
  dq << "SELECT referent FROM case_delegates WHERE case_id = ? ORDER BY at, referent", bind(case_id);
  dq.execute();
  Rows delegates(dq);
  for (size_t i = 0; i < delegates.size(); ++i) c.delegates.push_back(delegates.text(i, 0));

  Statement rq(s);
  rq << std::string("SELECT ") + kRequestColumns + " FROM requests r WHERE r.case_id = ? ORDER BY r.rowid",
      bind(case_id);
  rq.execute();
  Rows requests(rq);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < requests.size(); ++i) {
    c.requests.push_back(read_request(requests, i));
    index[c.requests.back().id] = i;
  }
  Statement hq(s);
  hq << "SELECT h.request_id, h.state, h.at, h.source, h.detail FROM history h "
        "JOIN requests r ON r.id = h.request_id WHERE r.case_id = ? ORDER BY h.id",
      bind(case_id);
  hq.execute();
  Rows history(hq);
  for (size_t i = 0; i < history.size(); ++i) {
    auto it = index.find(history.text(i, 0));
    if (it == index.end()) continue;
    c.requests[it->second].history.push_back(
        {history.text(i, 1), history.text(i, 2), history.text(i, 3), history.text(i, 4)});
  }
  return c;
}

std::optional<PersonRecord> SqliteStore::find_person(const std::string& case_id) {
  Session s = reader();
  Statement q(s);
  q << "SELECT person, situation FROM people WHERE case_id = ?", bind(case_id);
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return std::nullopt;
  return PersonRecord{rows.text(0, 0), rows.text(0, 1)};
}

CasePage SqliteStore::list_cases(const std::string& referent, int limit, std::optional<int64_t> before_seq) {
  Session s = reader();
  Poco::Int64 before = before_seq.value_or(INT64_MAX);
  Poco::Int64 fetch = limit + 1;
  Statement q(s);
  // The référent's own cases and those shared with them, each part on its own index.
  q << "SELECT seq, id, owner, department, created_at, updated_at, frozen FROM cases "
       "WHERE owner = ?1 AND seq < ?2 "
       "UNION ALL SELECT seq, id, owner, department, created_at, updated_at, frozen FROM cases "
       "WHERE id IN (SELECT case_id FROM case_delegates WHERE referent = ?1) AND owner <> ?1 AND seq < ?2 "
       "ORDER BY seq DESC LIMIT ?3",
      bind(referent), bind(before), bind(fetch);
  q.execute();
  Rows rows(q);
  CasePage page;
  std::vector<std::string> ids;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
    CaseRecord c;
    c.seq = rows.integer(i, 0);
    c.id = rows.text(i, 1);
    c.owner = rows.text(i, 2);
    c.department = rows.text(i, 3);
    c.created_at = rows.text(i, 4);
    c.updated_at = rows.text(i, 5);
    c.frozen = rows.integer(i, 6) != 0;
    index[c.id] = page.cases.size();
    ids.push_back(c.id);
    page.cases.push_back(std::move(c));
  }
  if (static_cast<int>(rows.size()) > limit && !page.cases.empty()) page.next_before_seq = page.cases.back().seq;
  if (ids.empty()) return page;
  Statement rq(s);
  rq << std::string("SELECT ") + kRequestColumns + " FROM requests r WHERE r.case_id IN " +
            quoted_list(ids) + " ORDER BY r.rowid";
  rq.execute();
  Rows requests(rq);
  for (size_t i = 0; i < requests.size(); ++i) {
    RequestRecord r = read_request(requests, i);
    page.cases[index[r.case_id]].requests.push_back(std::move(r));
  }
  return page;
}

bool SqliteStore::retry_request(const std::string& request_id, const std::string& at, const std::string& actor) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT state, delivery_key, case_id FROM requests WHERE id = ?", bind(request_id);
    q.execute();
    Rows rows(q);
    std::string state = rows.size() ? rows.text(0, 0) : "";
    if (state != "failed" && state != "info_requested") return false;
    // The same key as the first attempt: if that attempt did reach the agency after all, the
    // agency recognises the request instead of opening a second file.
    insert_outbox(s, request_id, "deliver", rows.text(0, 1), "", parse_ms(at));
    Transition t;
    t.entries.push_back({"queued", at, "referent", "nouvel essai demandé"});
    t.message = "";
    apply_transition(s, request_id, t);
    append_audit(s, audit_event(actor, "request.retry", rows.text(0, 2), request_id,
                                {{"from", state}, {"to", "queued"}}));
    return true;
  });
}

bool SqliteStore::answer_request(const std::string& request_id, const std::string& key, const std::string& sealed,
                                 const std::string& at, const std::string& actor) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT state, case_id FROM requests WHERE id = ?", bind(request_id);
    q.execute();
    Rows rows(q);
    std::string state = rows.size() ? rows.text(0, 0) : "";
    if (state != "info_requested") return false;
    insert_outbox(s, request_id, "answer", key, sealed, parse_ms(at));
    Transition t;
    t.entries.push_back({"in_review", at, "referent", "réponse du référent"});
    t.message = "réponse en cours d'envoi à l'organisme";
    apply_transition(s, request_id, t);
    // Not the answer: it is the référent's free text.
    append_audit(s, audit_event(actor, "request.answer", rows.text(0, 1), request_id, {{"from", state}}));
    return true;
  });
}

bool SqliteStore::withdraw_request(const std::string& request_id, const std::string& at,
                                   const std::string& reason, const std::string& source, const std::string& actor) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT state, delivery_key, case_id FROM requests WHERE id = ?", bind(request_id);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return false;
    auto state = parse_request_state(rows.text(0, 0)).value_or(RequestState::queued);
    if (is_terminal(state)) return false;
    std::string key = rows.text(0, 1);

    // A delivery never attempted can simply be dropped: the agency never heard of it. Any
    // attempt, even one that failed, may have reached the agency, so it is told.
    Poco::Int64 attempted = 0, pending = 0;
    s << "SELECT COUNT(*), COALESCE(SUM(attempts), 0) FROM outbox WHERE request_id = ? AND operation = 'deliver'",
        into(pending), into(attempted), bind(request_id), now;
    bool agency_may_know = attempted > 0 || (state != RequestState::queued && state != RequestState::failed);
    if (pending && attempted == 0) {
      s << "DELETE FROM outbox WHERE request_id = ? AND operation = 'deliver' AND attempts = 0",
          bind(request_id), now;
    }
    if (agency_may_know) insert_outbox(s, request_id, "withdraw", key + "-withdraw", reason, parse_ms(at));
    Transition t;
    t.entries.push_back({"withdrawn", at, source, ""});
    apply_transition(s, request_id, t);
    // Not the reason: it is the référent's free text.
    append_audit(s, audit_event(actor, "request.withdraw", rows.text(0, 2), request_id,
                                {{"from", to_string(state)}, {"agency_told", agency_may_know}, {"source", source}}));
    return true;
  });
}

void SqliteStore::record_consent(const std::string& case_id, const ConsentEntry& consent) {
  write([&](Session& s) {
    insert_consents(s, case_id, {consent});
    touch_case(s, case_id, consent.at);
    append_audit(s, audit_event(referent_actor(consent.referent), "consent.record", case_id, "",
                                {{"need", consent.need}, {"given", consent.given}, {"channel", consent.channel}}));
  });
}

bool SqliteStore::set_frozen(const std::string& case_id, bool frozen, const std::string& at, const std::string& actor) {
  return write([&](Session& s) {
    int value = frozen ? 1 : 0;
    Statement u(s);
    u << "UPDATE cases SET frozen = ?, updated_at = ? WHERE id = ?", bind(value), bind(at), bind(case_id);
    if (u.execute() == 0) return false;
    append_audit(s, audit_event(actor, frozen ? "case.freeze" : "case.unfreeze", case_id, ""));
    return true;
  });
}

bool SqliteStore::add_delegate(const std::string& case_id, const std::string& referent, const std::string& at,
                              const std::string& actor) {
  return write([&](Session& s) {
    Statement i(s);
    i << "INSERT OR IGNORE INTO case_delegates(case_id, referent, at) SELECT id, ?, ? FROM cases WHERE id = ?",
        bind(referent), bind(at), bind(case_id);
    if (i.execute() == 0) return false;
    append_audit(s, audit_event(actor, "case.delegate", case_id, "", {{"delegate", referent}}));
    return true;
  });
}

bool SqliteStore::remove_delegate(const std::string& case_id, const std::string& referent, const std::string& actor) {
  return write([&](Session& s) {
    Statement d(s);
    d << "DELETE FROM case_delegates WHERE case_id = ? AND referent = ?", bind(case_id), bind(referent);
    if (d.execute() == 0) return false;
    append_audit(s, audit_event(actor, "case.undelegate", case_id, "", {{"delegate", referent}}));
    return true;
  });
}

bool SqliteStore::erase_case(const std::string& case_id, const std::string& actor) {
  return write([&](Session& s) {
    const char* const kChildren[] = {
        "DELETE FROM history WHERE request_id IN (SELECT id FROM requests WHERE case_id = ?)",
        "DELETE FROM outbox WHERE request_id IN (SELECT id FROM requests WHERE case_id = ?)",
        "DELETE FROM requests WHERE case_id = ?",
        "DELETE FROM consents WHERE case_id = ?",
        "DELETE FROM people WHERE case_id = ?",
        "DELETE FROM idempotency WHERE case_id = ?",
        "DELETE FROM disclosures WHERE case_id = ?",
        "DELETE FROM review_items WHERE case_id = ?",
        "DELETE FROM case_delegates WHERE case_id = ?",
    };
    for (const char* statement : kChildren) s << statement, bind(case_id), now;
    Statement d(s);
    d << "DELETE FROM cases WHERE id = ?", bind(case_id);
    if (d.execute() == 0) return false;
    append_audit(s, audit_event(actor, "case.erase", case_id, ""));
    return true;
  });
}

std::vector<Delivery> SqliteStore::claim(const std::string& worker, int64_t now_ms, int64_t lease_ms,
                                         int limit) {
  return write([&](Session& s) {
    Poco::Int64 at = now_ms, until = now_ms + lease_ms, count = limit;
    // Only the oldest row of a request is eligible: a withdrawal never overtakes its delivery.
    // Nothing about a frozen case leaves the hub: its rows wait, unclaimed, until it is unfrozen.
    const std::string eligible =
        "FROM outbox o JOIN requests r ON r.id = o.request_id JOIN cases c ON c.id = r.case_id "
        "WHERE o.next_attempt_at <= ?1 AND o.lease_until <= ?1 AND c.frozen = 0 "
        "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.request_id = o.request_id AND p.id < o.id) ";
    // One instance per batch, the one whose row is due first: a slow agency holds its own rows only.
    Statement first(s);
    first << "SELECT r.instance " + eligible + "ORDER BY o.next_attempt_at LIMIT 1", bind(at);
    first.execute();
    Rows due(first);
    std::vector<Delivery> out;
    if (due.size() == 0) return out;
    std::string instance = due.text(0, 0);
    Statement pick(s);
    pick << "SELECT o.id " + eligible + "AND r.instance = ?2 ORDER BY o.next_attempt_at LIMIT ?3", bind(at),
        bind(instance), bind(count);
    pick.execute();
    Rows picked(pick);
    if (picked.size() == 0) return out;
    std::string ids = "(";
    for (size_t i = 0; i < picked.size(); ++i) ids += (i ? "," : "") + std::to_string(picked.integer(i, 0));
    ids += ")";
    s << "UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id IN " + ids,
        bind(worker), bind(until), now;
    Statement q(s);
    q << std::string("SELECT o.id, o.operation, o.attempts, o.idempotency_key, o.reason, o.created_ms, "
                     "c.owner, c.department, c.frozen, ") +
             kRequestColumns +
             " FROM outbox o JOIN requests r ON r.id = o.request_id JOIN cases c ON c.id = r.case_id "
             "WHERE o.id IN " + ids + " ORDER BY o.next_attempt_at";
    q.execute();
    Rows rows(q);
    for (size_t i = 0; i < rows.size(); ++i) {
      Delivery d;
      d.outbox_id = rows.integer(i, 0);
      d.operation = rows.text(i, 1);
      d.attempts = static_cast<int>(rows.integer(i, 2));
      d.idempotency_key = rows.text(i, 3);
      d.reason = rows.text(i, 4);
      d.first_queued_ms = rows.integer(i, 5);
      d.case_owner = rows.text(i, 6);
      d.department = rows.text(i, 7);
      d.frozen = rows.integer(i, 8) != 0;
      d.request = read_request(rows, i, 9);
      out.push_back(std::move(d));
    }
    return out;
  });
}

void SqliteStore::settle(const std::vector<Settlement>& settlements) {
  write([&](Session& s) {
    for (const Settlement& one : settlements) settle_row(s, one);
  });
}

std::vector<Disclosure> SqliteStore::disclosures(const std::string& case_id) {
  Session s = reader();
  Statement q(s);
  q << "SELECT request_id, instance, agency, fields, at FROM disclosures WHERE case_id = ? ORDER BY id",
      bind(case_id);
  q.execute();
  Rows rows(q);
  std::vector<Disclosure> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    Disclosure d{rows.text(i, 0), rows.text(i, 1), rows.text(i, 2), {}, rows.text(i, 4)};
    std::string fields = rows.text(i, 3);
    for (size_t start = 0; start < fields.size();) {
      size_t end = fields.find(',', start);
      if (end == std::string::npos) end = fields.size();
      d.fields.push_back(fields.substr(start, end - start));
      start = end + 1;
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::optional<int64_t> SqliteStore::next_due_ms() {
  Session s = reader();
  Statement q(s);
  q << "SELECT MIN(MAX(next_attempt_at, lease_until)) FROM outbox";
  q.execute();
  Rows rows(q);
  if (rows.size() == 0 || rows.text(0, 0).empty()) return std::nullopt;
  return rows.integer(0, 0);
}

OutboxStats SqliteStore::outbox_stats() {
  Session s = reader();
  Statement q(s);
  q << "SELECT COUNT(*), COALESCE(MIN(created_ms), 0) FROM outbox";
  q.execute();
  Rows rows(q);
  return {rows.integer(0, 0), rows.integer(0, 1)};
}

std::vector<std::pair<std::string, int64_t>> SqliteStore::overdue_by_instance(const std::string& now_text) {
  Session s = reader();
  Statement q(s);
  // Deadlines are stored by format_time(), so they compare as text.
  q << std::string("SELECT instance, COUNT(*) FROM requests WHERE deadline IS NOT NULL AND deadline <> '' "
                   "AND deadline < ? AND state NOT IN ") + kTerminalList + " GROUP BY instance",
      bind(now_text);
  q.execute();
  Rows rows(q);
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i < rows.size(); ++i) out.emplace_back(rows.text(i, 0), rows.integer(i, 1));
  return out;
}

std::vector<std::string> SqliteStore::settled_cases_before(const std::string& before, int limit) {
  Session s = reader();
  Statement q(s);
  Poco::Int64 count = limit;
  // Times are stored by format_time(), so they compare as text.
  q << std::string("SELECT c.id FROM cases c WHERE c.updated_at < ? AND NOT EXISTS "
                   "(SELECT 1 FROM requests r WHERE r.case_id = c.id AND r.state NOT IN ") + kTerminalList +
           ") ORDER BY c.seq LIMIT ?",
      bind(before), bind(count);
  q.execute();
  Rows rows(q);
  std::vector<std::string> out;
  for (size_t i = 0; i < rows.size(); ++i) out.push_back(rows.text(i, 0));
  return out;
}

bool SqliteStore::apply_agency_event(const AgencyEvent& e) {
  return write([&](Session& s) {
    auto before = apply_event(s, e);
    if (!before) return false;
    // Not the message: it is the agency's free text.
    append_audit(s, audit_event(agency_actor(e.instance), "request.state", before->case_id, before->id,
                                {{"from", before->state}, {"to", e.state}, {"source", e.source}}));
    return true;
  });
}

std::vector<OpenRequest> SqliteStore::open_requests(const std::string& instance) {
  Session s = reader();
  Statement q(s);
  q << std::string("SELECT id, agency_reference, state FROM requests WHERE instance = ? "
                   "AND agency_reference IS NOT NULL AND state NOT IN ") + kTerminalList +
           " AND state NOT IN ('queued','failed')",
      bind(instance);
  q.execute();
  Rows rows(q);
  std::vector<OpenRequest> out;
  for (size_t i = 0; i < rows.size(); ++i) out.push_back({rows.text(i, 0), rows.text(i, 1), rows.text(i, 2)});
  return out;
}

std::optional<std::string> SqliteStore::cursor(const std::string& instance) {
  Session s = reader();
  Statement q(s);
  q << "SELECT cursor FROM cursors WHERE instance = ?", bind(instance);
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return std::nullopt;
  return rows.text(0, 0);
}

void SqliteStore::set_cursor(const std::string& instance, const std::string& cursor) {
  write([&](Session& s) {
    s << "INSERT INTO cursors(instance, cursor) VALUES(?, ?) "
         "ON CONFLICT(instance) DO UPDATE SET cursor = excluded.cursor",
        bind(instance), bind(cursor), now;
  });
}

std::optional<RequestContext> SqliteStore::match_mail(const std::string& correlation, const std::string& delivery_key) {
  Session s = reader();
  for (const auto& [column, value] : {std::pair<std::string, std::string>("correlation", correlation),
                                     std::pair<std::string, std::string>("delivery_key", delivery_key)}) {
    if (value.empty()) continue;
    Statement q(s);
    q << std::string("SELECT ") + kContextColumns + " FROM requests r JOIN cases c ON c.id = r.case_id WHERE r." +
             column + " = ?",
        bind(value);
    q.execute();
    Rows rows(q);
    if (rows.size()) return std::optional<RequestContext>(read_context(rows, 0));
  }
  return std::optional<RequestContext>();
}

std::optional<RequestContext> SqliteStore::find_request(const std::string& request_id) {
  Session s = reader();
  Statement q(s);
  q << std::string("SELECT ") + kContextColumns + " FROM requests r JOIN cases c ON c.id = r.case_id WHERE r.id = ?",
      bind(request_id);
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return std::optional<RequestContext>();
  return std::optional<RequestContext>(read_context(rows, 0));
}

bool SqliteStore::fail_request(const std::string& request_id, const std::string& at, const std::string& reason) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT state, case_id FROM requests WHERE id = ?", bind(request_id);
    q.execute();
    Rows rows(q);
    // Only a request the agency has not answered: an answer proves a copy arrived somewhere.
    if (rows.size() == 0 || rows.text(0, 0) != "sent") return false;
    Transition t;
    t.entries.push_back({"failed", at, "email", reason});
    t.message = reason;
    apply_transition(s, request_id, t);
    // Not the reason: a bounce's diagnostic may quote the address it was sent to.
    append_audit(s, audit_event("hub", "mail.bounce", rows.text(0, 1), request_id,
                                {{"from", "sent"}, {"to", "failed"}}));
    return true;
  });
}

bool SqliteStore::add_review_item(const ReviewItem& i) {
  return write([&](Session& s) {
    Poco::Int64 seen = 0;
    s << "SELECT COUNT(*) FROM review_items WHERE mail_id = ?", into(seen), bind(i.mail_id), now;
    if (seen) return false;
    s << "INSERT INTO review_items(id, mail_id, department, owner, instance, request_id, case_id, received_at, sealed) "
         "VALUES(?,?,?,?,?,?,?,?,?)",
        bind(i.id), bind(i.mail_id), bind(i.department), bind(i.owner), bind(i.instance), bind(i.request_id),
        bind(i.case_id), bind(i.received_at), bind(i.sealed), now;
    append_audit(s, audit_event("hub", "review.add", i.case_id, i.request_id,
                                {{"item", i.id}, {"instance", i.instance}}));
    return true;
  });
}

std::vector<ReviewItem> SqliteStore::review_items(const std::string& department) {
  Session s = reader();
  Statement q(s);
  q << std::string("SELECT ") + kReviewColumns +
           " FROM review_items WHERE department = ? AND closed_at IS NULL ORDER BY seq",
      bind(department);
  q.execute();
  Rows rows(q);
  std::vector<ReviewItem> items;
  for (size_t i = 0; i < rows.size(); ++i) items.push_back(read_review_item(rows, i));
  return items;
}

std::optional<ReviewItem> SqliteStore::find_review_item(const std::string& id) {
  Session s = reader();
  Statement q(s);
  q << std::string("SELECT ") + kReviewColumns + " FROM review_items WHERE id = ? AND closed_at IS NULL", bind(id);
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return std::optional<ReviewItem>();
  return std::optional<ReviewItem>(read_review_item(rows, 0));
}

bool SqliteStore::file_review_item(const std::string& id, const AgencyEvent& event, const std::string& actor) {
  return write([&](Session& s) {
    Poco::Int64 waiting = 0;
    s << "SELECT COUNT(*) FROM review_items WHERE id = ? AND closed_at IS NULL", into(waiting), bind(id), now;
    if (!waiting) return false;
    auto before = apply_event(s, event);
    if (!before) return false;
    s << "UPDATE review_items SET closed_at = ?, sealed = '' WHERE id = ?", bind(event.recorded_at), bind(id), now;
    append_audit(s, audit_event(actor, "review.file", before->case_id, before->id,
                                {{"item", id}, {"from", before->state}, {"to", event.state}}));
    return true;
  });
}

bool SqliteStore::dismiss_review_item(const std::string& id, const std::string& at, const std::string& actor) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT case_id, request_id FROM review_items WHERE id = ? AND closed_at IS NULL", bind(id);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return false;
    s << "UPDATE review_items SET closed_at = ?, sealed = '' WHERE id = ?", bind(at), bind(id), now;
    append_audit(s, audit_event(actor, "review.dismiss", rows.text(0, 0), rows.text(0, 1), {{"item", id}}));
    return true;
  });
}

void SqliteStore::record_audit(const AuditEvent& event) {
  write([&](Session& s) { append_audit(s, event); });
}

std::vector<AuditEntry> SqliteStore::audit_entries(const std::string& case_id, int64_t after_seq, int limit) {
  Session s = reader();
  Poco::Int64 after = after_seq, count = limit;
  Statement q(s);
  const std::string select = "SELECT seq, at, actor, action, case_id, request_id, detail, prev_hash, hash FROM audit ";
  if (case_id.empty()) {
    q << select + "WHERE seq > ? ORDER BY seq LIMIT ?", bind(after), bind(count);
  } else {
    q << select + "WHERE case_id = ? AND seq > ? ORDER BY seq LIMIT ?", bind(case_id), bind(after), bind(count);
  }
  q.execute();
  Rows rows(q);
  std::vector<AuditEntry> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    out.push_back({rows.integer(i, 0), rows.text(i, 1), rows.text(i, 2), rows.text(i, 3), rows.text(i, 4),
                   rows.text(i, 5), rows.text(i, 6), rows.text(i, 7), rows.text(i, 8)});
  }
  return out;
}

AuditHead SqliteStore::audit_head() {
  Session s = reader();
  AuditHead head;
  s << "SELECT seq, hash FROM audit_head WHERE id = 1", into(head.seq), into(head.hash), now;
  return head;
}

}  // namespace guichet::store
