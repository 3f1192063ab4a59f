#include "hub/privacy/key_store.h"

#include "hub/privacy/sealing.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace guichet::privacy {
namespace {

namespace fs = std::filesystem;

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("guichet-keys-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }
  fs::path dir_;
};

TEST_F(KeyStoreTest, KeysSurviveRestartsAndTheMasterKeyIsPrivate) {
  std::string key;
  {
    KeyStore store(dir_);
    key = store.create("c_1");
  }
  KeyStore reopened(dir_);
  EXPECT_EQ(reopened.find("c_1"), key);
  EXPECT_FALSE(reopened.find("c_unknown"));
  EXPECT_EQ(fs::status(dir_ / "master.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(KeyStoreTest, DestroyingAKeyMakesItsDataUnreadableEvenFromACopyOfTheDatabase) {
  KeyStore store(dir_);
  std::string key = store.create("c_1");
  std::string sealed = seal(key, "Benali", "c_1");
  fs::copy_file(dir_ / "keys.db", dir_ / "backup-before.db");
  store.destroy("c_1");
  EXPECT_FALSE(store.find("c_1"));
  // The raw key appears nowhere on disk any more: not in keys.db nor in its write-ahead log.
  for (const char* file : {"keys.db", "keys.db-wal"}) {
    if (fs::exists(dir_ / file)) {
      EXPECT_EQ(file_text(dir_ / file).find(key), std::string::npos) << file;
    }
  }
}

TEST_F(KeyStoreTest, RotationRewrapsEveryKeyWithoutChangingIt) {
  KeyStore store(dir_);
  std::string a = store.create("c_a"), b = store.create("c_b");
  std::string old_master = file_text(dir_ / "master.key");
  EXPECT_EQ(store.rotate(), 2u);
  EXPECT_NE(file_text(dir_ / "master.key"), old_master);
  EXPECT_FALSE(fs::exists(dir_ / "master.key.next"));
  EXPECT_EQ(store.find("c_a"), a);
  KeyStore reopened(dir_);
  EXPECT_EQ(reopened.find("c_b"), b);
}

TEST_F(KeyStoreTest, AnInterruptedRotationIsFinishedAtStart) {
  std::string a;
  {
    KeyStore store(dir_);
    a = store.create("c_a");
  }
  std::ofstream(dir_ / "master.key.next") << std::string(64, 'a') << '\n';
  KeyStore reopened(dir_);
  EXPECT_FALSE(fs::exists(dir_ / "master.key.next"));
  EXPECT_EQ(reopened.find("c_a"), a);
}

TEST_F(KeyStoreTest, HubsShareTheKeyStoreButARotationNeedsItAlone) {
  {
    KeyStore first(dir_);
    KeyStore second(dir_);  // two hubs on one data directory
    EXPECT_THROW(KeyStore(dir_, FileLock::Mode::exclusive), LockBusy);
  }
  KeyStore alone(dir_, FileLock::Mode::exclusive);
  EXPECT_THROW(KeyStore{dir_}, LockBusy);  // a hub cannot start in the middle of a rotation
}

}  // namespace
}  // namespace guichet::privacy
