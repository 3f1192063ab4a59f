// The SQLite layer under the embedded store and the case keys: statements kept and reused, errors
// sorted into the store's exceptions, group commits that undo one failing write alone, and the log
// checkpointed off the writer's path without growing; the whole file checked in the background.
#include "hub/store/sqlite/checkpointer.h"
#include "hub/store/sqlite/database.h"
#include "hub/store/sqlite/group_commit.h"
#include "hub/store/sqlite/reader_pool.h"
#include "hub/store/sqlite/sqlite_store.h"
#include "hub/store/store.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace guichet::store::sqlite {
namespace {

namespace fs = std::filesystem;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("guichet-sqlite-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    file_ = dir_ / "test.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_, file_;
};

TEST_F(SqliteTest, ReusesItsStatementsAndReadsNullsAsEmpty) {
  Database db(file_);
  db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, note TEXT)");
  for (int i = 1; i <= 3; ++i) {
    db.query("INSERT INTO t(id, name, note) VALUES(?1, ?2, ?3)", i, "n" + std::to_string(i), std::optional<std::string>())
        .run();
  }
  std::vector<std::string> names;
  for (Query q = db.query("SELECT name, note, id FROM t WHERE id >= ?1 ORDER BY id", 2); q.next();) {
    names.push_back(q.text(0));
    EXPECT_TRUE(q.is_null(1));
    EXPECT_EQ(q.text(1), "");
  }
  EXPECT_EQ(names, (std::vector<std::string>{"n2", "n3"}));
  // The same statement again, after the previous use was reset: it starts from the first row.
  Query again = db.query("SELECT name, note, id FROM t WHERE id >= ?1 ORDER BY id", 1);
  ASSERT_TRUE(again.next());
  EXPECT_EQ(again.integer(2), 1);
}

TEST_F(SqliteTest, SortsErrorsIntoTheStoresExceptions) {
  Database db(file_);
  db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
  db.query("INSERT INTO t(name) VALUES(?1)", "same").run();
  EXPECT_THROW(db.query("INSERT INTO t(name) VALUES(?1)", "same").run(), Conflict);
  EXPECT_THROW(db.query("SELECT nothing FROM nowhere"), DatabaseError);
  EXPECT_THROW(Database(dir_ / "missing" / "test.db"), StoreUnavailable);
}

TEST_F(SqliteTest, AGroupUndoesTheFailingWriteAloneAndCommitsTheOthers) {
  Database db(file_);
  db.execute("CREATE TABLE t(name TEXT UNIQUE)");
  db.query("INSERT INTO t(name) VALUES('taken')").run();
  GroupCommit commits(db);
  std::vector<std::thread> writers;
  std::atomic<int> conflicts{0};
  for (int i = 0; i < 16; ++i) {
    writers.emplace_back([&, i] {
      try {
        commits.run([&](Database& writer) {
          writer.query("INSERT INTO t(name) VALUES(?1)", "w" + std::to_string(i)).run();
          // Every odd writer also inserts a name already taken: its whole write must go.
          if (i % 2) writer.query("INSERT INTO t(name) VALUES('taken')").run();
        });
      } catch (const Conflict&) {
        ++conflicts;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(conflicts, 8);
  ReaderPool readers(file_);
  auto reader = readers.take();
  Query count = reader->query("SELECT COUNT(*) FROM t WHERE name LIKE 'w%' AND CAST(substr(name, 2) AS INTEGER) % 2 = 0");
  ASSERT_TRUE(count.next());
  EXPECT_EQ(count.integer(0), 8);
  Query odd = reader->query("SELECT COUNT(*) FROM t WHERE name LIKE 'w%' AND CAST(substr(name, 2) AS INTEGER) % 2 = 1");
  ASSERT_TRUE(odd.next());
  EXPECT_EQ(odd.integer(0), 0);
}

TEST_F(SqliteTest, AReaderCannotWrite) {
  { Database(file_).execute("CREATE TABLE t(name TEXT)"); }
  ReaderPool readers(file_);
  auto reader = readers.take();
  EXPECT_THROW(reader->query("INSERT INTO t(name) VALUES('x')").run(), StoreUnavailable);
}

// Without the checkpointer's last pass between two groups, a steady stream of commits never lets
// the log start afresh, and it grows by every page written (here about 40 MB).
TEST_F(SqliteTest, TheLogStaysSmallUnderASteadyStreamOfCommits) {
  Database db(file_);
  db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT)");
  Checkpointer checkpointer(db, file_, 100);
  GroupCommit commits(db, [&] { checkpointer.between_transactions(); });
  const std::string payload(4000, 'x');
  for (int i = 0; i < 10000; ++i) {
    commits.run([&](Database& writer) { writer.query("INSERT INTO t(payload) VALUES(?1)", payload).run(); });
  }
  EXPECT_LT(fs::file_size(fs::path(file_.string() + "-wal")), 4u * 1024 * 1024);
  ReaderPool readers(file_);
  auto reader = readers.take();
  Query count = reader->query("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(count.next());
  EXPECT_EQ(count.integer(0), 10000);
}

// The partial indexes over open requests were first written with NOT IN, which SQLite evaluates
// through a temporary table at every insert and update of a request: a store opened again has them
// rewritten, and an update of a request builds no temporary table any more.
TEST_F(SqliteTest, IndexesWrittenWithNotInAreRewritten) {
  { SqliteStore store(file_); }
  auto definition = [&](const std::string& index) {
    Database db(file_);
    Query q = db.query("SELECT sql FROM sqlite_schema WHERE name = ?1", index);
    return q.next() ? q.text(0) : std::string();
  };
  {
    Database db(file_);
    db.execute("DROP INDEX requests_one_open_per_agency");
    db.execute("CREATE UNIQUE INDEX requests_one_open_per_agency ON requests(case_id, need, instance) "
               "WHERE state NOT IN ('accepted','refused','closed','withdrawn')");
  }
  ASSERT_NE(definition("requests_one_open_per_agency").find("NOT IN"), std::string::npos);
  { SqliteStore store(file_); }
  EXPECT_EQ(definition("requests_one_open_per_agency").find("NOT IN"), std::string::npos);
  EXPECT_NE(definition("requests_one_open_per_agency").find("state <> 'withdrawn'"), std::string::npos);
  Database db(file_);
  int temporary_tables = 0;
  for (Query q = db.query("EXPLAIN UPDATE requests SET state = ?2 WHERE id = ?1", "r", "sent"); q.next();) {
    if (q.text(1) == "OpenEphemeral") ++temporary_tables;
  }
  EXPECT_EQ(temporary_tables, 0);
}

// The log lines of one logger, for the tests to read.
class Capture : public Poco::Channel {
 public:
  void log(const Poco::Message& message) override {
    std::lock_guard lock(mutex_);
    lines_.push_back(message.getText());
  }
  std::string all() {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const auto& line : lines_) text += line + "\n";
    return text;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Start-up no longer reads the whole file; the check that does runs beside the hub and says what
// it found, sound or not.
TEST_F(SqliteTest, TheStoreChecksTheWholeFileInTheBackgroundAndLogsWhatItFound) {
  Poco::AutoPtr<Capture> capture(new Capture);
  Poco::Logger::get("store").setChannel(capture);
  auto wait_for = [&](const std::string& text) {
    for (int i = 0; i < 100 && capture->all().find(text) == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return capture->all().find(text) != std::string::npos;
  };
  { SqliteStore store(file_); }
  {
    // Rows enough for the history to fill pages in the middle of the file, then a page of it garbled.
    Database db(file_);
    for (int i = 0; i < 3000; ++i) {
      db.query("INSERT INTO history(request_id, state, source, at, detail) VALUES(?1, 'sent', 'dispatch', 'now', '')",
               "r_" + std::to_string(i))
          .run();
    }
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  {
    SqliteStore store(file_);
    EXPECT_TRUE(wait_for("database integrity check: ok"));
  }
  {
    std::fstream out(file_, std::ios::in | std::ios::out | std::ios::binary);
    out.seekp(static_cast<std::streamoff>(fs::file_size(file_) / 2 / 4096 * 4096));
    out << std::string(4096, '\x7f');
  }
  SqliteStore store(file_);
  EXPECT_TRUE(wait_for("database failed its integrity check")) << capture->all();
  Poco::Logger::get("store").setChannel(nullptr);
}

}  // namespace
}  // namespace guichet::store::sqlite
