#include "hub/store/postgres/postgres_store.h"

#include "hub/domain/request_state.h"
#include "hub/domain/time.h"
#include "hub/store/audit_chain.h"
#include "hub/store/leased_delivery.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <map>
#include <type_traits>

namespace guichet::store {
namespace {

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Session;
using Poco::Data::Statement;

constexpr const char* kTerminalList = "('accepted','refused','closed','withdrawn')";

// Any key: it only has to be the same for every hub, so that two hubs starting together create the
// schema one after the other.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7324551)";

// The SQLite schema with PostgreSQL types: times the hub compares as numbers are BIGINT
// milliseconds, the rest TEXT as the hub formats it. `requests.ord` keeps insertion order, which
// SQLite gets from its rowid.
const char* const kSchema[] = {
    R"(CREATE TABLE IF NOT EXISTS cases(
         seq BIGSERIAL PRIMARY KEY,
         id TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, department TEXT NOT NULL,
         created_at TEXT NOT NULL, updated_at TEXT NOT NULL, frozen INTEGER NOT NULL DEFAULT 0))",
    "CREATE INDEX IF NOT EXISTS cases_by_owner ON cases(owner, seq)",
    R"(CREATE TABLE IF NOT EXISTS case_delegates(
         case_id TEXT NOT NULL, referent TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY(case_id, referent)))",
    "CREATE INDEX IF NOT EXISTS case_delegates_by_referent ON case_delegates(referent, case_id)",
    R"(CREATE TABLE IF NOT EXISTS people(
         case_id TEXT PRIMARY KEY, person TEXT NOT NULL, situation TEXT NOT NULL))",
    R"(CREATE TABLE IF NOT EXISTS requests(
         ord BIGSERIAL, id TEXT PRIMARY KEY, case_id TEXT NOT NULL, need TEXT NOT NULL,
         need_json TEXT NOT NULL, instance TEXT NOT NULL, agency TEXT NOT NULL, state TEXT NOT NULL,
         agency_reference TEXT, message TEXT, deadline TEXT, correlation TEXT NOT NULL UNIQUE,
         delivery_key TEXT NOT NULL, agency_at TEXT, retrying INTEGER NOT NULL DEFAULT 0,
         created_at TEXT NOT NULL, updated_at TEXT NOT NULL))",
    "CREATE INDEX IF NOT EXISTS requests_by_case ON requests(case_id, ord)",
    "CREATE INDEX IF NOT EXISTS requests_by_reference ON requests(instance, agency_reference)",
    // The poller's walk over each instance's open requests, a page at a time.
    R"(CREATE INDEX IF NOT EXISTS requests_open_by_instance ON requests(instance, id)
         WHERE state NOT IN ('accepted','refused','closed','withdrawn'))",
    // Replaced by the index below when needs could first be served by several agencies.
    "DROP INDEX IF EXISTS requests_one_open_per_need",
    R"(CREATE UNIQUE INDEX IF NOT EXISTS requests_one_open_per_agency ON requests(case_id, need, instance)
         WHERE state NOT IN ('accepted','refused','closed','withdrawn'))",
    R"(CREATE TABLE IF NOT EXISTS history(
         id BIGSERIAL PRIMARY KEY, request_id TEXT NOT NULL, state TEXT NOT NULL,
         source TEXT NOT NULL, at TEXT NOT NULL, detail TEXT))",
    "CREATE INDEX IF NOT EXISTS history_by_request ON history(request_id, id)",
    R"(CREATE TABLE IF NOT EXISTS outbox(
         id BIGSERIAL PRIMARY KEY, request_id TEXT NOT NULL, operation TEXT NOT NULL,
         idempotency_key TEXT NOT NULL, reason TEXT, attempts INTEGER NOT NULL DEFAULT 0,
         next_attempt_at BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT NOT NULL DEFAULT 0,
         created_ms BIGINT NOT NULL))",
    // next_attempt_at: when the row may next be claimed, the end of its lease while it is leased.
    // instance: its request's, so that a claim reads one instance's rows off an index.
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS instance TEXT NOT NULL DEFAULT ''",
    "UPDATE outbox o SET instance = r.instance FROM requests r WHERE r.id = o.request_id AND o.instance = ''",
    "CREATE INDEX IF NOT EXISTS outbox_by_instance ON outbox(instance, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS outbox_by_due ON outbox(next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS outbox_by_request ON outbox(request_id, id)",
    R"(CREATE TABLE IF NOT EXISTS consents(
         id BIGSERIAL PRIMARY KEY, case_id TEXT NOT NULL, need TEXT NOT NULL,
         given INTEGER NOT NULL, at TEXT NOT NULL, referent TEXT NOT NULL, channel TEXT NOT NULL))",
    "CREATE INDEX IF NOT EXISTS consents_by_case ON consents(case_id, id)",
    R"(CREATE TABLE IF NOT EXISTS idempotency(
         referent TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, status INTEGER NOT NULL,
         response TEXT NOT NULL, case_id TEXT, PRIMARY KEY(referent, key)))",
    "CREATE INDEX IF NOT EXISTS idempotency_by_case ON idempotency(case_id)",
    R"(CREATE TABLE IF NOT EXISTS cursors(instance TEXT PRIMARY KEY, cursor TEXT NOT NULL))",
    R"(CREATE TABLE IF NOT EXISTS disclosures(
         id BIGSERIAL PRIMARY KEY, case_id TEXT NOT NULL, request_id TEXT NOT NULL,
         instance TEXT NOT NULL, agency TEXT NOT NULL, fields TEXT NOT NULL, at TEXT NOT NULL))",
    "CREATE INDEX IF NOT EXISTS disclosures_by_case ON disclosures(case_id, id)",
    // A reply quotes the Message-ID of the hub's mail, which holds the delivery's key.
    "CREATE INDEX IF NOT EXISTS requests_by_delivery_key ON requests(delivery_key)",
    R"(CREATE TABLE IF NOT EXISTS review_items(
         seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, mail_id TEXT NOT NULL UNIQUE, department TEXT NOT NULL, owner TEXT NOT NULL,
         instance TEXT NOT NULL, request_id TEXT NOT NULL, case_id TEXT NOT NULL, received_at TEXT NOT NULL,
         sealed TEXT NOT NULL, closed_at TEXT))",
    "CREATE INDEX IF NOT EXISTS review_waiting ON review_items(department, seq) WHERE closed_at IS NULL",
    // The audit log (hub/store/audit_chain.h) and its head. Appending locks the head row, so that
    // hubs append one after the other and the chain never forks.
    R"(CREATE TABLE IF NOT EXISTS audit(
         seq BIGINT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
         case_id TEXT NOT NULL, request_id TEXT NOT NULL, detail TEXT NOT NULL,
         prev_hash TEXT NOT NULL, hash TEXT NOT NULL))",
    "CREATE INDEX IF NOT EXISTS audit_by_case ON audit(case_id, seq)",
    R"(CREATE TABLE IF NOT EXISTS audit_head(
         id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL))",
    // Rows leased before a claim moved their due time to the end of the lease get the same.
    "UPDATE outbox SET next_attempt_at = lease_until WHERE lease_until > next_attempt_at",
};

int64_t parse_ms(const std::string& rfc3339) { return parse_time(rfc3339).value_or(0); }

// Poco reports the server's SQLSTATE only inside its message ("... State: 23505 ...").
std::string sqlstate(const Poco::Exception& e) {
  const std::string& text = e.message();
  size_t at = text.find(" State: ");
  if (at == std::string::npos) return {};
  return text.substr(at + 8, 5);
}

// The database could not take the change for reasons of its own: connection, resources, shutdown.
bool is_unavailable(const Poco::Exception& e, Session& s) {
  if (dynamic_cast<const Poco::Data::PostgreSQL::ConnectionException*>(&e)) return true;
  if (!s.isConnected()) return true;
  std::string state = sqlstate(e);
  return state.rfind("08", 0) == 0 || state.rfind("53", 0) == 0 || state.rfind("57", 0) == 0 ||
         state.rfind("58", 0) == 0;
}

// Two hubs' transactions got in each other's way; the loser may simply run again.
bool is_retryable(const Poco::Exception& e) {
  std::string state = sqlstate(e);
  return state == "40001" || state == "40P01";
}

// The server's message may quote key values; only the SQLSTATE leaves the store.
StoreUnavailable unavailable(const Poco::Exception& e) {
  std::string state = sqlstate(e);
  return StoreUnavailable("database unavailable" + (state.empty() ? "" : " (SQLSTATE " + state + ")"));
}

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

CaseRecord read_case(const Rows& rows, size_t row) {
  CaseRecord c;
  c.seq = rows.integer(row, 0);
  c.id = rows.text(row, 1);
  c.owner = rows.text(row, 2);
  c.department = rows.text(row, 3);
  c.created_at = rows.text(row, 4);
  c.updated_at = rows.text(row, 5);
  c.frozen = rows.integer(row, 6) != 0;
  return c;
}

void insert_history(Session& s, const std::string& request_id, const HistoryEntry& entry) {
  s << "INSERT INTO history(request_id, state, source, at, detail) VALUES($1,$2,$3,$4,$5)",
      bind(request_id), bind(entry.state), bind(entry.source), bind(entry.at), bind(entry.detail), now;
}

// The audit entries of the transaction under way on this thread (set by PostgresStore::write),
// appended to the log just before its commit.
thread_local std::vector<AuditEvent>* pending_audit = nullptr;

// Records `event` for the audit log, in the caller's transaction: the log holds an action exactly
// when the action's change is committed.
void append_audit(Session&, const AuditEvent& event) { pending_audit->push_back(event); }

// Appends the transaction's entries, last thing before its commit: the head stays locked until the
// commit and every other hub's append waits for it, so that is kept short (a batch of outcomes
// does all its other work first), and no lock is taken after it (no deadlock with a transaction
// holding a request's row).
void flush_audit(Session& s, const std::vector<AuditEvent>& events) {
  if (events.empty()) return;
  Poco::Int64 seq = 0;
  std::string hash;
  s << "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE", into(seq), into(hash), now;
  std::string at = format_time(system_now_ms());
  std::vector<AuditEntry> entries;
  for (const AuditEvent& event : events) {
    entries.push_back(chain_entry(seq + 1, at, hash, event));
    seq = entries.back().seq;
    hash = entries.back().hash;
  }
  std::string sql = "INSERT INTO audit(seq, at, actor, action, case_id, request_id, detail, prev_hash, hash) VALUES";
  Statement insert(s);
  for (size_t i = 0; i < entries.size(); ++i) {
    sql += i ? ",(" : "(";
    for (int column = 1; column <= 9; ++column) sql += (column > 1 ? ",$" : "$") + std::to_string(i * 9 + column);
    sql += ")";
  }
  insert << sql;
  for (const AuditEntry& e : entries) {
    insert, bind(e.seq), bind(e.at), bind(e.actor), bind(e.action), bind(e.case_id), bind(e.request_id),
        bind(e.detail), bind(e.prev_hash), bind(e.hash);
  }
  insert.execute();
  s << "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", bind(seq), bind(hash), now;
}

void insert_outbox(Session& s, const std::string& request_id, const std::string& operation,
                   const std::string& key, const std::string& reason, int64_t due_ms) {
  Poco::Int64 due = due_ms;
  s << "INSERT INTO outbox(request_id, instance, operation, idempotency_key, reason, next_attempt_at, created_ms) "
       "VALUES($1,(SELECT instance FROM requests WHERE id = $1),$2,$3,$4,$5,$6)",
      bind(request_id), bind(operation), bind(key), bind(reason), bind(due), bind(due), now;
}

// The requests with their first history entry and their delivery's outbox row, free for a claim or,
// with `lease`, leased already (its deliveries are returned).
std::vector<Delivery> insert_requests(Session& s, const NewCase& c, int64_t at_ms, const std::optional<Lease>& lease) {
  std::vector<Delivery> leased;
  for (const auto& r : c.requests) {
    Poco::Int64 taken = 0;
    s << "SELECT COUNT(*) FROM requests WHERE correlation = $1", into(taken), bind(r.correlation), now;
    if (taken) throw CorrelationTaken();
    s << "INSERT INTO requests(id, case_id, need, need_json, instance, agency, state, deadline, "
         "correlation, delivery_key, created_at, updated_at) "
         "VALUES($1,$2,$3,$4,$5,$6,'queued',$7,$8,$9,$10,$11)",
        bind(r.id), bind(c.id), bind(r.need), bind(r.need_json), bind(r.instance), bind(r.agency),
        bind(r.deadline), bind(r.correlation), bind(r.delivery_key), bind(c.at), bind(c.at), now;
    insert_history(s, r.id, {"queued", c.at, "hub", ""});
    if (!lease) {
      insert_outbox(s, r.id, "deliver", r.delivery_key, "", at_ms);
      continue;
    }
    Poco::Int64 until = lease->until_ms, queued = at_ms, id = 0;
    s << "INSERT INTO outbox(request_id, instance, operation, idempotency_key, reason, next_attempt_at, created_ms, "
         "lease_owner, lease_until, attempts) VALUES($1,$2,'deliver',$3,'',$4,$5,$6,$7,1) RETURNING id",
        into(id), bind(r.id), bind(r.instance), bind(r.delivery_key), bind(until), bind(queued), bind(lease->owner),
        bind(until), now;
    leased.push_back(leased_delivery(c, r, id, at_ms));
  }
  return leased;
}

void insert_consents(Session& s, const std::string& case_id, const std::vector<ConsentEntry>& consents) {
  for (const auto& c : consents) {
    int given = c.given ? 1 : 0;
    s << "INSERT INTO consents(case_id, need, given, at, referent, channel) VALUES($1,$2,$3,$4,$5,$6)",
        bind(case_id), bind(c.need), bind(given), bind(c.at), bind(c.referent), bind(c.channel), now;
  }
}

void touch_case(Session& s, const std::string& case_id, const std::string& at) {
  s << "UPDATE cases SET updated_at = $1 WHERE id = $2", bind(at), bind(case_id), now;
}

// Applies a transition to a request, locked first so that two hubs reporting on the same request
// apply their transitions one after the other. A request in a final state keeps it (a late
// delivery outcome must not resurrect a withdrawn request) but its message still tells what happened.
void apply_transition(Session& s, const std::string& request_id, const Transition& t) {
  Statement q(s);
  q << "SELECT state, case_id FROM requests WHERE id = $1 FOR UPDATE", bind(request_id);
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return;
  auto current = parse_request_state(rows.text(0, 0)).value_or(RequestState::queued);
  std::string case_id = rows.text(0, 1);
  if (is_terminal(current)) {
    if (t.message) {
      s << "UPDATE requests SET message = $1 WHERE id = $2", bind(*t.message), bind(request_id), now;
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
  std::string sql = "UPDATE requests SET retrying = $1";
  int next = 2;
  // PostgreSQL numbers its parameters: $1 is retrying, the others follow in the order bound.
  auto next_parameter = [&] { return "$" + std::to_string(next++); };
  std::string state = to_string(current);
  if (!at.empty()) {
    sql += ", state = " + next_parameter();
    sql += ", updated_at = " + next_parameter();
  }
  bool reference = t.agency_reference && !t.agency_reference->empty();
  if (reference) sql += ", agency_reference = " + next_parameter();
  if (t.message) sql += ", message = " + next_parameter();
  sql += " WHERE id = " + next_parameter();
  Statement u(s);
  u << sql, bind(retrying);
  if (!at.empty()) u, bind(state), bind(at);
  if (reference) u, bind(*t.agency_reference);
  if (t.message) u, bind(*t.message);
  u, bind(request_id);
  u.execute();
  if (!at.empty()) touch_case(s, case_id, at);
}

// The fields a connector was given, recorded in the same transaction as the attempt's outcome.
void record_disclosure(Session& s, const Delivery& d, const Transition& t) {
  if (t.disclosed.empty()) return;
  std::string fields;
  for (const auto& field : t.disclosed) fields += (fields.empty() ? "" : ",") + field;
  std::string at = format_time(system_now_ms());
  s << "INSERT INTO disclosures(case_id, request_id, instance, agency, fields, at) VALUES($1,$2,$3,$4,$5,$6)",
      bind(d.request.case_id), bind(d.request.id), bind(d.request.instance), bind(d.request.agency),
      bind(fields), bind(at), now;
}

// How often a transaction that lost a deadlock against another hub is run again.
constexpr int kAttempts = 5;

// Applies an agency's (or a référent's) report to its request, under the rules of
// apply_agency_event (store.h). Returns the request as it was, or nothing when the report moves
// nothing.
std::optional<RequestRecord> apply_event(Session& s, const AgencyEvent& e) {
  auto next = parse_request_state(e.state);
  if (!next) return std::nullopt;
  Statement q(s);
  if (!e.request_id.empty()) {
    q << std::string("SELECT ") + kRequestColumns + " FROM requests r WHERE r.id = $1 AND r.instance = $2 FOR UPDATE",
        bind(e.request_id), bind(e.instance);
  } else {
    q << std::string("SELECT ") + kRequestColumns +
             " FROM requests r WHERE r.instance = $1 AND r.agency_reference = $2 FOR UPDATE",
        bind(e.instance), bind(e.agency_reference);
  }
  q.execute();
  Rows rows(q);
  if (rows.size() == 0) return std::nullopt;
  RequestRecord r = read_request(rows, 0);
  auto current = parse_request_state(r.state).value_or(RequestState::queued);
  if (!agency_may_move(current, *next)) return std::nullopt;
  if (*next == current && e.message == r.message) return std::nullopt;
  // An older report never overwrites a newer one.
  if (!r.agency_at.empty() && !e.at.empty() && parse_ms(e.at) < parse_ms(r.agency_at)) return std::nullopt;
  Transition t;
  t.entries.push_back({e.state, e.at.empty() ? e.recorded_at : e.at, e.source, e.message});
  t.message = e.message;
  if (!e.agency_reference.empty() && r.agency_reference.empty()) t.agency_reference = e.agency_reference;
  apply_transition(s, r.id, t);
  std::string agency_at = e.at.empty() ? e.recorded_at : e.at;
  s << "UPDATE requests SET agency_at = $1, updated_at = $2 WHERE id = $3", bind(agency_at),
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
    s << "DELETE FROM outbox WHERE id = $1", bind(id), now;
    apply_transition(s, d.request.id, t);
    record_disclosure(s, d, t);
    append_audit(s, dispatch_event(d, t, t.entries.empty() ? "done" : t.entries.back().state));
    return;
  }
  Poco::Int64 due = *one.next_attempt_ms;
  int refund = one.count_attempt ? 0 : 1;
  s << "UPDATE outbox SET next_attempt_at = $1, lease_owner = NULL, lease_until = 0, "
       "attempts = attempts - $2 WHERE id = $3",
      bind(due), bind(refund), bind(id), now;
  apply_transition(s, d.request.id, t);
  // Only an attempt is worth an entry: a row merely waiting for its connector reached no one.
  if (one.count_attempt) append_audit(s, dispatch_event(d, t, "retry"));
}

}  // namespace

Session PostgresStore::session() {
  try {
    return pool_->get();
  } catch (const Poco::Exception& e) {
    throw unavailable(e);
  }
}

template <typename Body>
auto PostgresStore::write(Body&& body) {
  for (int attempt = 1;; ++attempt) {
    Session s = session();
    std::vector<AuditEvent> audit;
    struct Pending {
      explicit Pending(std::vector<AuditEvent>& events) { pending_audit = &events; }
      ~Pending() { pending_audit = nullptr; }
    } pending(audit);
    try {
      s.begin();
      if constexpr (std::is_void_v<std::invoke_result_t<Body, Session&>>) {
        body(s);
        flush_audit(s, audit);
        s.commit();
        return;
      } else {
        auto result = body(s);
        flush_audit(s, audit);
        s.commit();
        return result;
      }
    } catch (const Poco::Exception& e) {
      try {
        if (s.isConnected() && s.isTransaction()) s.rollback();
      } catch (const Poco::Exception&) {
        // The connection went with the failed statement; the server rolls the transaction back.
      }
      if (is_unavailable(e, s)) throw unavailable(e);
      if (is_retryable(e) && attempt < kAttempts) continue;
      if (sqlstate(e).rfind("23", 0) == 0) throw Conflict("integrity constraint (SQLSTATE " + sqlstate(e) + ")");
      throw;
    } catch (...) {
      try {
        if (s.isConnected() && s.isTransaction()) s.rollback();
      } catch (const Poco::Exception&) {
      }
      throw;
    }
  }
}

template <typename Body>
auto PostgresStore::read(Body&& body) {
  Session s = session();
  try {
    return body(s);
  } catch (const Poco::Exception& e) {
    if (is_unavailable(e, s)) throw unavailable(e);
    throw;
  }
}

PostgresStore::PostgresStore(const std::string& connection) {
  Poco::Data::PostgreSQL::Connector::registerConnector();
  try {
    pool_ = std::make_unique<Poco::Data::SessionPool>("PostgreSQL", connection, 1, 64, 60);
  } catch (const Poco::Exception& e) {
    throw unavailable(e);
  }
  write([](Session& s) {
    // "already exists, skipping" notices would reach the hub's stderr on every start.
    s << "SET LOCAL client_min_messages = warning", now;
    s << kSchemaLock, now;
    for (const char* statement : kSchema) s << statement, now;
    s << "INSERT INTO audit_head(id, seq, hash) VALUES(1, 0, $1) ON CONFLICT DO NOTHING", bind(kAuditGenesis), now;
  });
}

PostgresStore::~PostgresStore() = default;

std::optional<IdempotencyEntry> PostgresStore::find_idempotency(const std::string& referent,
                                                                const std::string& key) {
  return read([&](Session& s) -> std::optional<IdempotencyEntry> {
    Statement q(s);
    q << "SELECT body_hash, status, response FROM idempotency WHERE referent = $1 AND key = $2",
        bind(referent), bind(key);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return std::nullopt;
    return IdempotencyEntry{referent, key, rows.text(0, 0), static_cast<int>(rows.integer(0, 1)),
                            rows.text(0, 2)};
  });
}

std::vector<Delivery> PostgresStore::create_case(const NewCase& c, const std::optional<IdempotencyEntry>& answer) {
  return write([&](Session& s) {
    if (answer) {
      // A concurrent intake with the same key waits here for the first one's commit, then finds
      // the key taken.
      int status = answer->status;
      Statement insert(s);
      insert << "INSERT INTO idempotency(referent, key, body_hash, status, response, case_id) "
                "VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
          bind(answer->referent), bind(answer->key), bind(answer->body_hash), bind(status),
          bind(answer->response), bind(c.id);
      if (insert.execute() == 0) throw IdempotencyRace();
    }
    s << "INSERT INTO cases(id, owner, department, created_at, updated_at) VALUES($1,$2,$3,$4,$5)",
        bind(c.id), bind(c.owner), bind(c.department), bind(c.at), bind(c.at), now;
    s << "INSERT INTO people(case_id, person, situation) VALUES($1,$2,$3)", bind(c.id),
        bind(c.person.person_json), bind(c.person.situation_json), now;
    auto leased = insert_requests(s, c, parse_ms(c.at), c.lease);
    insert_consents(s, c.id, c.consents);
    append_audit(s, intake_event("case.create", referent_actor(c.owner), c.id, c.requests, c.consents));
    return leased;
  });
}

void PostgresStore::add_requests(const std::string& case_id, const std::string& at,
                                 const std::vector<NewRequest>& requests,
                                 const std::vector<ConsentEntry>& consents, const std::string& actor) {
  write([&](Session& s) {
    NewCase added;
    added.id = case_id;
    added.at = at;
    added.requests = requests;
    insert_requests(s, added, parse_ms(at), std::nullopt);
    insert_consents(s, case_id, consents);
    touch_case(s, case_id, at);
    append_audit(s, intake_event("case.add_needs", actor, case_id, requests, consents));
  });
}

std::optional<CaseRecord> PostgresStore::find_case(const std::string& case_id) {
  return read([&](Session& s) -> std::optional<CaseRecord> {
    Statement q(s);
    q << "SELECT seq, id, owner, department, created_at, updated_at, frozen FROM cases WHERE id = $1",
        bind(case_id);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return std::nullopt;
    CaseRecord c = read_case(rows, 0);

    Statement dq(s);
    dq << "SELECT referent FROM case_delegates WHERE case_id = $1 ORDER BY at, referent", bind(case_id);
    dq.execute();
    Rows delegates(dq);
    for (size_t i = 0; i < delegates.size(); ++i) c.delegates.push_back(delegates.text(i, 0));

    Statement rq(s);
    rq << std::string("SELECT ") + kRequestColumns + " FROM requests r WHERE r.case_id = $1 ORDER BY r.ord",
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
          "JOIN requests r ON r.id = h.request_id WHERE r.case_id = $1 ORDER BY h.id",
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
  });
}

std::optional<PersonRecord> PostgresStore::find_person(const std::string& case_id) {
  return read([&](Session& s) -> std::optional<PersonRecord> {
    Statement q(s);
    q << "SELECT person, situation FROM people WHERE case_id = $1", bind(case_id);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return std::nullopt;
    return PersonRecord{rows.text(0, 0), rows.text(0, 1)};
  });
}

CasePage PostgresStore::list_cases(const std::string& referent, int limit, std::optional<int64_t> before_seq) {
  return read([&](Session& s) {
    Poco::Int64 before = before_seq.value_or(INT64_MAX);
    Poco::Int64 fetch = limit + 1;
    Statement q(s);
    // The référent's own cases and those shared with them, each part on its own index.
    q << "SELECT seq, id, owner, department, created_at, updated_at, frozen FROM cases "
         "WHERE owner = $1 AND seq < $2 "
         "UNION ALL SELECT seq, id, owner, department, created_at, updated_at, frozen FROM cases "
         "WHERE id IN (SELECT case_id FROM case_delegates WHERE referent = $1) AND owner <> $1 AND seq < $2 "
         "ORDER BY seq DESC LIMIT $3",
        bind(referent), bind(before), bind(fetch);
    q.execute();
    Rows rows(q);
    CasePage page;
    std::vector<std::string> ids;
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
      CaseRecord c = read_case(rows, i);
      index[c.id] = page.cases.size();
      ids.push_back(c.id);
      page.cases.push_back(std::move(c));
    }
    if (static_cast<int>(rows.size()) > limit && !page.cases.empty()) page.next_before_seq = page.cases.back().seq;
    if (ids.empty()) return page;
    Statement rq(s);
    rq << std::string("SELECT ") + kRequestColumns + " FROM requests r WHERE r.case_id IN " +
              quoted_list(ids) + " ORDER BY r.ord";
    rq.execute();
    Rows requests(rq);
    for (size_t i = 0; i < requests.size(); ++i) {
      RequestRecord r = read_request(requests, i);
      page.cases[index[r.case_id]].requests.push_back(std::move(r));
    }
    return page;
  });
}

bool PostgresStore::retry_request(const std::string& request_id, const std::string& at, const std::string& actor) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT state, delivery_key, case_id FROM requests WHERE id = $1 FOR UPDATE", bind(request_id);
    q.execute();
    Rows rows(q);
    std::string state = rows.size() ? rows.text(0, 0) : "";
    if (state != "failed" && state != "info_requested") return false;
    // The same key as the first attempt: an agency that did get it recognises the request.
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

bool PostgresStore::answer_request(const std::string& request_id, const std::string& key, const std::string& sealed,
                                 const std::string& at, const std::string& actor) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT state, case_id FROM requests WHERE id = $1 FOR UPDATE", bind(request_id);
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

bool PostgresStore::withdraw_request(const std::string& request_id, const std::string& at,
                                     const std::string& reason, const std::string& source,
                                     const std::string& actor) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT state, delivery_key, case_id FROM requests WHERE id = $1 FOR UPDATE", bind(request_id);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return false;
    auto state = parse_request_state(rows.text(0, 0)).value_or(RequestState::queued);
    if (is_terminal(state)) return false;
    std::string key = rows.text(0, 1);

    // A delivery never attempted can simply be dropped: the agency never heard of it. Any
    // attempt, even one that failed, may have reached the agency, so it is told.
    Poco::Int64 attempted = 0, pending = 0;
    s << "SELECT COUNT(*), COALESCE(SUM(attempts), 0) FROM outbox WHERE request_id = $1 AND operation = 'deliver'",
        into(pending), into(attempted), bind(request_id), now;
    bool agency_may_know = attempted > 0 || (state != RequestState::queued && state != RequestState::failed);
    if (pending && attempted == 0) {
      s << "DELETE FROM outbox WHERE request_id = $1 AND operation = 'deliver' AND attempts = 0",
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

void PostgresStore::record_consent(const std::string& case_id, const ConsentEntry& consent) {
  write([&](Session& s) {
    insert_consents(s, case_id, {consent});
    touch_case(s, case_id, consent.at);
    append_audit(s, audit_event(referent_actor(consent.referent), "consent.record", case_id, "",
                                {{"need", consent.need}, {"given", consent.given}, {"channel", consent.channel}}));
  });
}

bool PostgresStore::set_frozen(const std::string& case_id, bool frozen, const std::string& at,
                               const std::string& actor) {
  return write([&](Session& s) {
    int value = frozen ? 1 : 0;
    Statement u(s);
    u << "UPDATE cases SET frozen = $1, updated_at = $2 WHERE id = $3", bind(value), bind(at), bind(case_id);
    if (u.execute() == 0) return false;
    append_audit(s, audit_event(actor, frozen ? "case.freeze" : "case.unfreeze", case_id, ""));
    return true;
  });
}

bool PostgresStore::add_delegate(const std::string& case_id, const std::string& referent, const std::string& at,
                                const std::string& actor) {
  return write([&](Session& s) {
    Statement i(s);
    i << "INSERT INTO case_delegates(case_id, referent, at) SELECT id, $1, $2 FROM cases WHERE id = $3 "
         "ON CONFLICT DO NOTHING",
        bind(referent), bind(at), bind(case_id);
    if (i.execute() == 0) return false;
    append_audit(s, audit_event(actor, "case.delegate", case_id, "", {{"delegate", referent}}));
    return true;
  });
}

bool PostgresStore::remove_delegate(const std::string& case_id, const std::string& referent, const std::string& actor) {
  return write([&](Session& s) {
    Statement d(s);
    d << "DELETE FROM case_delegates WHERE case_id = $1 AND referent = $2", bind(case_id), bind(referent);
    if (d.execute() == 0) return false;
    append_audit(s, audit_event(actor, "case.undelegate", case_id, "", {{"delegate", referent}}));
    return true;
  });
}

bool PostgresStore::erase_case(const std::string& case_id, const std::string& actor) {
  return write([&](Session& s) {
    const char* const kChildren[] = {
        "DELETE FROM history WHERE request_id IN (SELECT id FROM requests WHERE case_id = $1)",
        "DELETE FROM outbox WHERE request_id IN (SELECT id FROM requests WHERE case_id = $1)",
        "DELETE FROM requests WHERE case_id = $1",
        "DELETE FROM consents WHERE case_id = $1",
        "DELETE FROM people WHERE case_id = $1",
        "DELETE FROM idempotency WHERE case_id = $1",
        "DELETE FROM disclosures WHERE case_id = $1",
        "DELETE FROM review_items WHERE case_id = $1",
        "DELETE FROM case_delegates WHERE case_id = $1",
    };
    for (const char* statement : kChildren) s << statement, bind(case_id), now;
    Statement d(s);
    d << "DELETE FROM cases WHERE id = $1", bind(case_id);
    if (d.execute() == 0) return false;
    append_audit(s, audit_event(actor, "case.erase", case_id, ""));
    return true;
  });
}

std::vector<Delivery> PostgresStore::claim(const std::string& worker, int64_t now_ms, int64_t lease_ms,
                                           int limit) {
  return write([&](Session& s) {
    Poco::Int64 at = now_ms, until = now_ms + lease_ms, count = limit;
    // Only the oldest row of a request is eligible: a withdrawal never overtakes its delivery.
    // Nothing about a frozen case leaves the hub.
    const std::string eligible =
        "FROM outbox o JOIN requests r ON r.id = o.request_id JOIN cases c ON c.id = r.case_id "
        "WHERE o.next_attempt_at <= $1 AND c.frozen = 0 "
        "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.request_id = o.request_id AND p.id < o.id) ";
    // One instance per batch, the one whose row is due first: a slow agency holds its own rows only.
    Statement first(s);
    first << "SELECT o.instance " + eligible + "ORDER BY o.next_attempt_at LIMIT 1 FOR UPDATE OF o SKIP LOCKED",
        bind(at);
    first.execute();
    Rows due(first);
    std::vector<Delivery> out;
    if (due.size() == 0) return out;
    std::string instance = due.text(0, 0);
    // Rows another hub is claiming right now are skipped rather than waited for; once its lease
    // is written they no longer qualify.
    Statement pick(s);
    pick << "SELECT o.id " + eligible + "AND o.instance = $2 ORDER BY o.next_attempt_at LIMIT $3 "
            "FOR UPDATE OF o SKIP LOCKED",
        bind(at), bind(instance), bind(count);
    pick.execute();
    Rows picked(pick);
    if (picked.size() == 0) return out;
    std::string ids = "(";
    for (size_t i = 0; i < picked.size(); ++i) ids += (i ? "," : "") + std::to_string(picked.integer(i, 0));
    ids += ")";
    // A leased row is not due again before its lease ends: the due index alone finds what is free.
    s << "UPDATE outbox SET lease_owner = $1, lease_until = $2, next_attempt_at = $2, attempts = attempts + 1 "
         "WHERE id IN " + ids,
        bind(worker), bind(until), now;
    Statement q(s);
    q << std::string("SELECT o.id, o.operation, o.attempts, o.idempotency_key, o.reason, o.created_ms, "
                     "c.owner, c.department, c.frozen, ") +
             kRequestColumns +
             " FROM outbox o JOIN requests r ON r.id = o.request_id JOIN cases c ON c.id = r.case_id "
             "WHERE o.id IN " + ids + " ORDER BY o.next_attempt_at, o.id";
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

std::vector<int64_t> PostgresStore::still_leased(const std::string& owner, const std::vector<int64_t>& outbox_ids) {
  if (outbox_ids.empty()) return {};
  return read([&](Session& s) {
    std::string ids;
    for (int64_t id : outbox_ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    Statement q(s);
    q << "SELECT o.id FROM outbox o JOIN requests r ON r.id = o.request_id JOIN cases c ON c.id = r.case_id "
         "WHERE o.id IN (" + ids + ") AND o.lease_owner = $1 AND c.frozen = 0 ORDER BY o.id",
        bind(owner);
    q.execute();
    Rows rows(q);
    std::vector<int64_t> out;
    for (size_t i = 0; i < rows.size(); ++i) out.push_back(rows.integer(i, 0));
    return out;
  });
}

void PostgresStore::settle(const std::vector<Settlement>& settlements) {
  write([&](Session& s) {
    for (const Settlement& one : settlements) settle_row(s, one);
  });
}

std::vector<Disclosure> PostgresStore::disclosures(const std::string& case_id) {
  return read([&](Session& s) {
    Statement q(s);
    q << "SELECT request_id, instance, agency, fields, at FROM disclosures WHERE case_id = $1 ORDER BY id",
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
  });
}

std::optional<int64_t> PostgresStore::next_due_ms() {
  return read([&](Session& s) -> std::optional<int64_t> {
    Statement q(s);
    q << "SELECT MIN(next_attempt_at) FROM outbox";
    q.execute();
    Rows rows(q);
    if (rows.size() == 0 || rows.text(0, 0).empty()) return std::nullopt;
    return rows.integer(0, 0);
  });
}

OutboxStats PostgresStore::outbox_stats() {
  return read([&](Session& s) {
    Statement q(s);
    q << "SELECT COUNT(*), COALESCE(MIN(created_ms), 0) FROM outbox";
    q.execute();
    Rows rows(q);
    return OutboxStats{rows.integer(0, 0), rows.integer(0, 1)};
  });
}

std::vector<std::pair<std::string, int64_t>> PostgresStore::overdue_by_instance(const std::string& now_text) {
  return read([&](Session& s) {
    Statement q(s);
    // Deadlines are stored by format_time(), so they compare as text (byte order: the schema's
    // columns use the database's collation, so compare as C).
    q << std::string("SELECT instance, COUNT(*) FROM requests WHERE deadline IS NOT NULL AND deadline <> '' "
                     "AND deadline COLLATE \"C\" < $1 AND state NOT IN ") + kTerminalList + " GROUP BY instance",
        bind(now_text);
    q.execute();
    Rows rows(q);
    std::vector<std::pair<std::string, int64_t>> out;
    for (size_t i = 0; i < rows.size(); ++i) out.emplace_back(rows.text(i, 0), rows.integer(i, 1));
    return out;
  });
}

std::vector<std::string> PostgresStore::settled_cases_before(const std::string& before, int limit) {
  return read([&](Session& s) {
    Statement q(s);
    Poco::Int64 count = limit;
    // Times are stored by format_time(), so they compare as text.
    q << std::string("SELECT c.id FROM cases c WHERE c.updated_at COLLATE \"C\" < $1 AND NOT EXISTS "
                     "(SELECT 1 FROM requests r WHERE r.case_id = c.id AND r.state NOT IN ") + kTerminalList +
             ") ORDER BY c.seq LIMIT $2",
        bind(before), bind(count);
    q.execute();
    Rows rows(q);
    std::vector<std::string> out;
    for (size_t i = 0; i < rows.size(); ++i) out.push_back(rows.text(i, 0));
    return out;
  });
}

bool PostgresStore::apply_agency_event(const AgencyEvent& e) {
  return write([&](Session& s) {
    auto before = apply_event(s, e);
    if (!before) return false;
    // Not the message: it is the agency's free text.
    append_audit(s, audit_event(agency_actor(e.instance), "request.state", before->case_id, before->id,
                                {{"from", before->state}, {"to", e.state}, {"source", e.source}}));
    return true;
  });
}

std::vector<OpenRequest> PostgresStore::open_requests(const std::string& instance, const std::string& after_request_id,
                                                      int limit) {
  return read([&](Session& s) {
    Statement q(s);
    Poco::Int64 count = limit;
    q << std::string("SELECT id, agency_reference, state FROM requests WHERE instance = $1 AND id > $2 "
                     "AND state NOT IN ") + kTerminalList +
             " AND agency_reference IS NOT NULL AND state NOT IN ('queued','failed') ORDER BY id LIMIT $3",
        bind(instance), bind(after_request_id), bind(count);
    q.execute();
    Rows rows(q);
    std::vector<OpenRequest> out;
    for (size_t i = 0; i < rows.size(); ++i) out.push_back({rows.text(i, 0), rows.text(i, 1), rows.text(i, 2)});
    return out;
  });
}

std::optional<std::string> PostgresStore::cursor(const std::string& instance) {
  return read([&](Session& s) -> std::optional<std::string> {
    Statement q(s);
    q << "SELECT cursor FROM cursors WHERE instance = $1", bind(instance);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return std::nullopt;
    return rows.text(0, 0);
  });
}

void PostgresStore::set_cursor(const std::string& instance, const std::string& cursor) {
  write([&](Session& s) {
    s << "INSERT INTO cursors(instance, cursor) VALUES($1, $2) "
         "ON CONFLICT(instance) DO UPDATE SET cursor = excluded.cursor",
        bind(instance), bind(cursor), now;
  });
}

std::optional<RequestContext> PostgresStore::match_mail(const std::string& correlation, const std::string& delivery_key) {
  return read([&](Session& s) {
    for (const auto& [column, value] : {std::pair<std::string, std::string>("correlation", correlation),
                                       std::pair<std::string, std::string>("delivery_key", delivery_key)}) {
      if (value.empty()) continue;
      Statement q(s);
      q << std::string("SELECT ") + kContextColumns + " FROM requests r JOIN cases c ON c.id = r.case_id WHERE r." +
               column + " = $1",
          bind(value);
      q.execute();
      Rows rows(q);
      if (rows.size()) return std::optional<RequestContext>(read_context(rows, 0));
    }
    return std::optional<RequestContext>();
  });
}

std::optional<RequestContext> PostgresStore::find_request(const std::string& request_id) {
  return read([&](Session& s) {
    Statement q(s);
    q << std::string("SELECT ") + kContextColumns + " FROM requests r JOIN cases c ON c.id = r.case_id WHERE r.id = $1",
        bind(request_id);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return std::optional<RequestContext>();
    return std::optional<RequestContext>(read_context(rows, 0));
  });
}

bool PostgresStore::fail_request(const std::string& request_id, const std::string& at, const std::string& reason) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT state, case_id FROM requests WHERE id = $1 FOR UPDATE", bind(request_id);
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

bool PostgresStore::add_review_item(const ReviewItem& i) {
  return write([&](Session& s) {
    Poco::Int64 seen = 0;
    s << "SELECT COUNT(*) FROM review_items WHERE mail_id = $1", into(seen), bind(i.mail_id), now;
    if (seen) return false;
    s << "INSERT INTO review_items(id, mail_id, department, owner, instance, request_id, case_id, received_at, sealed) "
         "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        bind(i.id), bind(i.mail_id), bind(i.department), bind(i.owner), bind(i.instance), bind(i.request_id),
        bind(i.case_id), bind(i.received_at), bind(i.sealed), now;
    append_audit(s, audit_event("hub", "review.add", i.case_id, i.request_id,
                                {{"item", i.id}, {"instance", i.instance}}));
    return true;
  });
}

std::vector<ReviewItem> PostgresStore::review_items(const std::string& department) {
  return read([&](Session& s) {
    Statement q(s);
    q << std::string("SELECT ") + kReviewColumns +
             " FROM review_items WHERE department = $1 AND closed_at IS NULL ORDER BY seq",
        bind(department);
    q.execute();
    Rows rows(q);
    std::vector<ReviewItem> items;
    for (size_t i = 0; i < rows.size(); ++i) items.push_back(read_review_item(rows, i));
    return items;
  });
}

std::optional<ReviewItem> PostgresStore::find_review_item(const std::string& id) {
  return read([&](Session& s) {
    Statement q(s);
    q << std::string("SELECT ") + kReviewColumns + " FROM review_items WHERE id = $1 AND closed_at IS NULL", bind(id);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return std::optional<ReviewItem>();
    return std::optional<ReviewItem>(read_review_item(rows, 0));
  });
}

bool PostgresStore::file_review_item(const std::string& id, const AgencyEvent& event, const std::string& actor) {
  return write([&](Session& s) {
    Poco::Int64 waiting = 0;
    s << "SELECT COUNT(*) FROM review_items WHERE id = $1 AND closed_at IS NULL", into(waiting), bind(id), now;
    if (!waiting) return false;
    auto before = apply_event(s, event);
    if (!before) return false;
    s << "UPDATE review_items SET closed_at = $1, sealed = '' WHERE id = $2", bind(event.recorded_at), bind(id), now;
    append_audit(s, audit_event(actor, "review.file", before->case_id, before->id,
                                {{"item", id}, {"from", before->state}, {"to", event.state}}));
    return true;
  });
}

bool PostgresStore::dismiss_review_item(const std::string& id, const std::string& at, const std::string& actor) {
  return write([&](Session& s) {
    Statement q(s);
    q << "SELECT case_id, request_id FROM review_items WHERE id = $1 AND closed_at IS NULL FOR UPDATE", bind(id);
    q.execute();
    Rows rows(q);
    if (rows.size() == 0) return false;
    s << "UPDATE review_items SET closed_at = $1, sealed = '' WHERE id = $2", bind(at), bind(id), now;
    append_audit(s, audit_event(actor, "review.dismiss", rows.text(0, 0), rows.text(0, 1), {{"item", id}}));
    return true;
  });
}

void PostgresStore::record_audit(const AuditEvent& event) {
  write([&](Session& s) { append_audit(s, event); });
}

std::vector<AuditEntry> PostgresStore::audit_entries(const std::string& case_id, int64_t after_seq, int limit) {
  return read([&](Session& s) {
    Poco::Int64 after = after_seq, count = limit;
    Statement q(s);
    const std::string select = "SELECT seq, at, actor, action, case_id, request_id, detail, prev_hash, hash FROM audit ";
    if (case_id.empty()) {
      q << select + "WHERE seq > $1 ORDER BY seq LIMIT $2", bind(after), bind(count);
    } else {
      q << select + "WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", bind(case_id), bind(after), bind(count);
    }
    q.execute();
    Rows rows(q);
    std::vector<AuditEntry> out;
    for (size_t i = 0; i < rows.size(); ++i) {
      out.push_back({rows.integer(i, 0), rows.text(i, 1), rows.text(i, 2), rows.text(i, 3), rows.text(i, 4),
                     rows.text(i, 5), rows.text(i, 6), rows.text(i, 7), rows.text(i, 8)});
    }
    return out;
  });
}

AuditHead PostgresStore::audit_head() {
  return read([&](Session& s) {
    AuditHead head;
    s << "SELECT seq, hash FROM audit_head WHERE id = 1", into(head.seq), into(head.hash), now;
    return head;
  });
}

}  // namespace guichet::store
