#include "hub/store/sqlite/database.h"

#include "hub/store/store.h"

namespace guichet::store::sqlite {
namespace {

// The storage is failing, not the statement: answered 503 and tried again later.
bool is_storage_failure(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_PROTOCOL:
      return true;
    default:
      return false;
  }
}

}  // namespace

void throw_error(sqlite3* db, int code, std::string_view what) {
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  if (is_storage_failure(code)) throw StoreUnavailable("database unavailable: " + message);
  if ((code & 0xff) == SQLITE_CONSTRAINT) throw Conflict(message);
  throw DatabaseError(message);
}

Query::~Query() {
  if (!statement_) return;
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Query& Query::bind_one(int index, std::string_view text) {
  int code = sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (code != SQLITE_OK) throw_error(db(), code, "bind");
  return *this;
}

Query& Query::bind_one(int index, int64_t value) {
  int code = sqlite3_bind_int64(statement_, index, value);
  if (code != SQLITE_OK) throw_error(db(), code, "bind");
  return *this;
}

Query& Query::bind_one(int index, const std::optional<std::string>& text) {
  if (text) return bind_one(index, std::string_view(*text));
  int code = sqlite3_bind_null(statement_, index);
  if (code != SQLITE_OK) throw_error(db(), code, "bind");
  return *this;
}

bool Query::next() {
  int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  throw_error(db(), code, sqlite3_sql(statement_));
}

int Query::run() {
  while (next()) {
  }
  return sqlite3_changes(db());
}

std::string Query::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (!data) return {};
  return std::string(data, static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

int64_t Query::integer(int column) const { return sqlite3_column_int64(statement_, column); }

Database::Database(const std::filesystem::path& file, bool create) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int code = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
  if (code != SQLITE_OK) {
    std::string message = "cannot open " + file.string() + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code));
    sqlite3_close(db_);
    throw StoreUnavailable(message);
  }
  sqlite3_extended_result_codes(db_, 1);
  try {
    execute("PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON");
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

Database::~Database() {
  statements_.clear();
  sqlite3_close(db_);
}

void Database::execute(const std::string& sql) {
  char* error = nullptr;
  int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  if (code != SQLITE_OK) throw_error(db_, code, sql);
}

Query Database::query(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* statement = nullptr;
    int code = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                  &statement, nullptr);
    if (code != SQLITE_OK) throw_error(db_, code, sql);
    it = statements_.emplace(sql, std::unique_ptr<sqlite3_stmt, Finalize>(statement)).first;
  }
  return Query(it->second.get());
}

}  // namespace guichet::store::sqlite
