#include "hub/privacy/key_store.h"

#include "hub/privacy/sealing.h"
#include "hub/store/store.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <fstream>
#include <vector>

namespace guichet::privacy {
namespace {

namespace fs = std::filesystem;
using store::sqlite::Database;
using store::sqlite::Query;

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

// Creates keys.db's table when it is new; returns the file, for the connections to open.
fs::path prepared(const fs::path& file) {
  store::sqlite::Database db(file);
  db.execute("CREATE TABLE IF NOT EXISTS case_keys(case_id TEXT PRIMARY KEY, master TEXT NOT NULL, wrapped TEXT NOT NULL)");
  return file;
}

}  // namespace

KeyStore::KeyStore(const fs::path& data_dir, FileLock::Mode mode)
    : dir_(data_dir),
      lock_(data_dir / "keys.lock", mode),
      writer_(prepared(data_dir / "keys.db")),
      group_commit_(writer_),
      readers_(data_dir / "keys.db") {
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
  std::string wrapped, master;
  {
    std::lock_guard lock(masters_mutex_);
    wrapped = wrap(case_id, key);
    master = current_;
  }
  group_commit_.run([&](Database& db) {
    db.query("INSERT INTO case_keys(case_id, master, wrapped) VALUES(?1,?2,?3)", case_id, master, wrapped).run();
  });
  return key;
}

std::optional<std::string> KeyStore::find(const std::string& case_id) {
  std::string master, wrapped;
  {
    auto reader = readers_.take();
    Query q = reader->query("SELECT master, wrapped FROM case_keys WHERE case_id = ?1", case_id);
    if (!q.next()) return std::nullopt;
    master = q.text(0);
    wrapped = q.text(1);
  }
  std::lock_guard lock(masters_mutex_);
  auto it = masters_.find(master);
  if (it == masters_.end()) throw SealError("the master key that wraps this case key is missing");
  return open_sealed(it->second, wrapped, "case-key:" + case_id);
}

void KeyStore::destroy(const std::string& case_id) {
  group_commit_.run([&](Database& db) { db.query("DELETE FROM case_keys WHERE case_id = ?1", case_id).run(); });
  // Also out of the write-ahead log, so the wrapped key does not linger in a file on disk.
  auto reader = readers_.take();
  reader->execute("PRAGMA wal_checkpoint(TRUNCATE)");
}

size_t KeyStore::rotate() {
  std::lock_guard lock(masters_mutex_);
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

  std::vector<std::pair<std::string, std::string>> rewrapped;
  {
    auto reader = readers_.take();
    for (Query q = reader->query("SELECT case_id, master, wrapped FROM case_keys WHERE master <> ?1", next_id); q.next();) {
      std::string case_id = q.text(0);
      std::string key = open_sealed(masters_.at(q.text(1)), q.text(2), "case-key:" + case_id);
      rewrapped.emplace_back(case_id, seal(next_key, key, "case-key:" + case_id));
    }
  }
  group_commit_.run([&](Database& db) {
    for (auto& [case_id, wrapped] : rewrapped) {
      db.query("UPDATE case_keys SET master = ?1, wrapped = ?2 WHERE case_id = ?3", next_id, wrapped, case_id).run();
    }
  });
  fs::rename(next_file, dir_ / "master.key");
  current_ = next_id;
  return rewrapped.size();
}

}  // namespace guichet::privacy
