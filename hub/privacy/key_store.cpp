#include "hub/privacy/key_store.h"

#include "hub/privacy/sealing.h"
#include "hub/store/sqlite/storage_failure.h"
#include "hub/store/store.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <fstream>
#include <vector>

namespace guichet::privacy {
namespace {

namespace fs = std::filesystem;
using namespace Poco::Data::Keywords;

std::string to_hex(const std::string& raw) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

std::string fingerprint(const std::string& key) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(key);
  return Poco::DigestEngine::digestToHex(engine.digest()).substr(0, 16);
}

void write_private(const fs::path& file, const std::string& text) {
  fs::path temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text << '\n';
    out.flush();
    if (!out) throw SealError("cannot write " + file.string());
  }
  fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  fs::rename(temporary, file);
}

std::string read_master(const fs::path& file) {
  std::ifstream in(file);
  std::string hex;
  std::getline(in, hex);
  if (hex.size() != 2 * kKeyBytes) throw SealError(file.string() + " must hold 64 hexadecimal characters");
  return from_hex(hex);
}

Poco::Data::Session open_session(const fs::path& file) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session session("SQLite", file.string());
  session << "PRAGMA journal_mode=WAL", now;
  session << "PRAGMA synchronous=FULL", now;
  session << "PRAGMA busy_timeout=5000", now;
  session << "CREATE TABLE IF NOT EXISTS case_keys(case_id TEXT PRIMARY KEY, master TEXT NOT NULL, wrapped TEXT NOT NULL)",
      now;
  return session;
}

// keys.db failing is the hub's storage failing, as for its main database: answered 503, tried again.
template <typename Call>
auto guarded(Call&& call) {
  try {
    return call();
  } catch (const Poco::Exception& e) {
    if (store::is_storage_failure(e)) throw store::StoreUnavailable("case keys unavailable: " + e.displayText());
    throw;
  }
}

}  // namespace

KeyStore::KeyStore(const fs::path& data_dir, FileLock::Mode mode)
    : dir_(data_dir), lock_(data_dir / "keys.lock", mode), session_(open_session(data_dir / "keys.db")) {
  load_master_keys();
}

void KeyStore::load_master_keys() {
  fs::path master = dir_ / "master.key";
  if (!fs::exists(master)) write_private(master, to_hex(random_bytes(kKeyBytes)));
  std::string key = read_master(master);
  current_ = fingerprint(key);
  masters_[current_] = key;
  fs::path next = dir_ / "master.key.next";
  if (fs::exists(next)) {
    // A rotation was interrupted: finish it, so that one master key is current again.
    std::string next_key = read_master(next);
    masters_[fingerprint(next_key)] = next_key;
    rotate();
  }
}

std::string KeyStore::wrap(const std::string& case_id, const std::string& key) const {
  return seal(masters_.at(current_), key, "case-key:" + case_id);
}

std::string KeyStore::create(const std::string& case_id) {
  std::string key = random_bytes(kKeyBytes);
  std::lock_guard lock(mutex_);
  std::string wrapped = wrap(case_id, key);
  guarded([&] {
    session_ << "INSERT INTO case_keys(case_id, master, wrapped) VALUES(?,?,?)", bind(case_id), bind(current_),
        bind(wrapped), now;
  });
  return key;
}

std::optional<std::string> KeyStore::find(const std::string& case_id) {
  std::lock_guard lock(mutex_);
  std::string master, wrapped;
  bool found = guarded([&] {
    Poco::Data::Statement query(session_);
    query << "SELECT master, wrapped FROM case_keys WHERE case_id = ?", bind(case_id);
    query.execute();
    Poco::Data::RecordSet rows(query);
    if (rows.rowCount() == 0) return false;
    master = rows.value(0, 0).convert<std::string>();
    wrapped = rows.value(1, 0).convert<std::string>();
    return true;
  });
  if (!found) return std::nullopt;
  auto it = masters_.find(master);
  if (it == masters_.end()) throw SealError("the master key that wraps this case key is missing");
  return open_sealed(it->second, wrapped, "case-key:" + case_id);
}

void KeyStore::destroy(const std::string& case_id) {
  std::lock_guard lock(mutex_);
  guarded([&] {
    session_ << "DELETE FROM case_keys WHERE case_id = ?", bind(case_id), now;
    // Also out of the write-ahead log, so the wrapped key does not linger in a file on disk.
    session_ << "PRAGMA wal_checkpoint(TRUNCATE)", now;
  });
}

size_t KeyStore::rotate() {
  std::lock_guard lock(mutex_);
  fs::path next_file = dir_ / "master.key.next";
  std::string next_key;
  if (fs::exists(next_file)) {
    next_key = read_master(next_file);
  } else {
    next_key = random_bytes(kKeyBytes);
    write_private(next_file, to_hex(next_key));
  }
  std::string next_id = fingerprint(next_key);
  masters_[next_id] = next_key;

  Poco::Data::Statement query(session_);
  query << "SELECT case_id, master, wrapped FROM case_keys WHERE master <> ?", bind(next_id);
  query.execute();
  Poco::Data::RecordSet rows(query);
  std::vector<std::pair<std::string, std::string>> rewrapped;
  for (size_t i = 0; i < rows.rowCount(); ++i) {
    std::string case_id = rows.value(0, i).convert<std::string>();
    const std::string& old_master = masters_.at(rows.value(1, i).convert<std::string>());
    std::string key = open_sealed(old_master, rows.value(2, i).convert<std::string>(), "case-key:" + case_id);
    rewrapped.emplace_back(case_id, seal(next_key, key, "case-key:" + case_id));
  }
  session_ << "BEGIN IMMEDIATE", now;
  try {
    for (auto& [case_id, wrapped] : rewrapped) {
      session_ << "UPDATE case_keys SET master = ?, wrapped = ? WHERE case_id = ?", bind(next_id), bind(wrapped),
          bind(case_id), now;
    }
    session_ << "COMMIT", now;
  } catch (...) {
    session_ << "ROLLBACK", now;
    throw;
  }
  fs::rename(next_file, dir_ / "master.key");
  current_ = next_id;
  return rewrapped.size();
}

}  // namespace guichet::privacy
