#include "hub/cases/retention.h"


#include "hub/store/sqlite/sqlite_store.h"
#include "hub/store/tests/claim_all.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace guichet::cases {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDay = 86400 * 1000;
constexpr int64_t kStart = 1795000000000;

class RetentionTest : public ::testing::Test {
 protected:
  ~RetentionTest() override { fs::remove_all(dir_); }

  // A case with one request, moved to `state` by its agency at kStart.
  void a_case(const std::string& id, const std::string& state) {
    store::NewCase c;
    c.id = id;
    c.owner = "ref-a";
    c.department = "95";
    c.at = format_time(kStart);
    c.person = vault_.seal_new(id, {R"({"birth_name":"X"})", "{}"});
    c.requests.push_back({id + "-r", "housing", R"({"kind":"housing"})", "siao-95", "SIAO", "", id + "-corr", id + "-key"});
    store_.create_case(c, std::nullopt);
    for (const auto& d : store::claim_all(store_, "w", kStart, 60000)) {
      store::Transition sent;
      sent.entries = {{"sent", format_time(kStart), "dispatch", ""}};
      store_.complete(d, sent);
    }
    if (state != "sent") {
      ASSERT_TRUE(store_.apply_agency_event(
          {"siao-95", id + "-r", "", state, format_time(kStart), format_time(kStart), "email", ""}));
    }
  }

  fs::path dir_ = fs::temp_directory_path() / ("guichet-retention-" + std::to_string(std::random_device{}()));
  bool created_ = fs::create_directories(dir_);
  store::SqliteStore store_{dir_ / "guichet.db"};
  privacy::KeyStore keys_{dir_};
  privacy::Vault vault_{keys_};
  int64_t now_ = kStart;
  Retention retention_{store_, vault_, [this] { return now_; }, 30};
};

TEST_F(RetentionTest, ErasesSettledCasesOnceTheirPeriodIsOverAndNothingElse) {
  a_case("c_accepted", "accepted");
  a_case("c_refused", "refused");
  a_case("c_open", "acknowledged");

  now_ = kStart + 29 * kDay;
  EXPECT_EQ(retention_.erase_due(), 0);  // settled, but not for long enough

  now_ = kStart + 31 * kDay;
  EXPECT_EQ(retention_.erase_due(), 2);
  EXPECT_FALSE(store_.find_case("c_accepted"));
  EXPECT_FALSE(store_.find_case("c_refused"));
  EXPECT_FALSE(keys_.find("c_accepted")) << "the key goes too: a backup of the store cannot be read";
  ASSERT_TRUE(store_.find_case("c_open")) << "a request still open keeps its case";
  EXPECT_TRUE(keys_.find("c_open"));
  EXPECT_EQ(retention_.erase_due(), 0);
}

TEST_F(RetentionTest, AFailedRequestIsNotSettled) {
  a_case("c_failed", "sent");
  ASSERT_TRUE(store_.fail_request("c_failed-r", format_time(kStart), "courriel non distribué (5.1.1)"));
  now_ = kStart + 400 * kDay;
  EXPECT_EQ(retention_.erase_due(), 0);  // the référent still has something to do
  EXPECT_TRUE(store_.find_case("c_failed"));
}

}  // namespace
}  // namespace guichet::cases
