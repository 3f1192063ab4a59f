// One connection to an SQLite file, keeping every statement it prepares for the next call: the
// hub runs the same few dozen statements thousands of times a second, and preparing one costs more
// than running it. Poco::Data prepares afresh on every call and reads rows through Dynamic::Var
// (4 to 5 times the cost of the statement itself, docs/performance.md), hence SQLite's own API here.
//
// Errors: a failing storage (disk full, I/O error, locked, corrupt, out of memory) throws
// StoreUnavailable; a constraint the schema enforces throws Conflict; anything else is a bug and
// throws DatabaseError.
// Thread-safety: none; one thread at a time per Database (GroupCommit and ReaderPool see to it).
#ifndef GUICHET_HUB_STORE_SQLITE_DATABASE_H
#define GUICHET_HUB_STORE_SQLITE_DATABASE_H

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace guichet::store::sqlite {

class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws the exception that SQLite's result `code` calls for, naming `what` was being done.
[[noreturn]] void throw_error(sqlite3* db, int code, std::string_view what);

// A prepared statement taken from its connection's cache for one use: bind, step through the rows,
// and it is reset for the next user when this goes out of scope. Parameters are numbered from 1 as
// in the SQL (?1, ?2...); columns from 0.
class Query {
 public:
  explicit Query(sqlite3_stmt* statement) : statement_(statement) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query(Query&& other) noexcept : statement_(other.statement_) { other.statement_ = nullptr; }

  // Binds every argument in order from parameter 1. Text is copied, so temporaries are safe.
  template <typename... Args>
  Query& bind(const Args&... args) {
    int index = 0;
    (bind_one(++index, args), ...);
    return *this;
  }
  Query& bind_one(int index, std::string_view text);
  Query& bind_one(int index, const std::string& text) { return bind_one(index, std::string_view(text)); }
  Query& bind_one(int index, const char* text) { return bind_one(index, std::string_view(text)); }
  Query& bind_one(int index, int64_t value);
  Query& bind_one(int index, int value) { return bind_one(index, int64_t{value}); }
  Query& bind_one(int index, bool value) { return bind_one(index, int64_t{value ? 1 : 0}); }
  Query& bind_one(int index, const std::optional<std::string>& text);  // nullopt binds NULL

  // Steps to the next row: false once there is none.
  bool next();
  // Runs a statement that returns no rows (or whose rows do not matter); returns the rows changed.
  int run();

  // Column values of the current row; NULL reads as empty text or zero.
  std::string text(int column) const;
  int64_t integer(int column) const;
  bool is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

 private:
  sqlite3* db() const { return sqlite3_db_handle(statement_); }

  sqlite3_stmt* statement_;
};

class Database {
 public:
  // Opens (creating it when `create`) the file, in WAL mode with synchronous=FULL and a busy
  // timeout, so that a commit that returned survives a power cut.
  Database(const std::filesystem::path& file, bool create = true);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL text as it is: schema, pragmas, several statements at once. Not for values.
  void execute(const std::string& sql);
  // The statement for `sql`, prepared on first use and kept for the life of the connection, with
  // `args` bound from parameter 1. One statement serves one Query at a time: a query may not be
  // run again while its rows are still being read.
  Query query(const std::string& sql);
  template <typename... Args>
  Query query(const std::string& sql, const Args&... args) {
    Query q = query(sql);
    q.bind(args...);
    return q;
  }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const { return sqlite3_changes64(db_); }
  // The rowid of the last row inserted on this connection.
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  struct Finalize {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
  };
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, Finalize>> statements_;
};

}  // namespace guichet::store::sqlite

#endif
