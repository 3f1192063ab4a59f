#include "hub/inbound/agency_events.h"

#include "hub/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace guichet::inbound {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

class AgencyEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("guichet-inbound-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    store_ = std::make_unique<store::SqliteStore>(dir_ / "guichet.db");
    store::NewCase c{"c1", "alice", "95", format_time(kNow), {"{}", "{}"},
                     {{"r1", "allowance", R"({"kind":"allowance"})", "caf-95", "CAF", "", "GCH-1", "k1"}}, {}, std::nullopt};
    store_->create_case(c, std::nullopt);
    auto claimed = store_->claim("w", kNow, 1000, 1);
    store::Transition sent;
    sent.entries = {{"sent", format_time(kNow), "dispatch", ""}};
    sent.agency_reference = "AUU-1";
    store_->complete(claimed[0], sent);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  static constexpr int64_t kNow = 1795000000000;
  fs::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(AgencyEventsTest, AppliesKnownEventsAndCountsTheRest) {
  Json events = Json::parse(R"([
    {"agency_reference":"AUU-1","state":"in_review","at":"2026-11-18T12:00:00Z"},
    {"agency_reference":"AUU-404","state":"accepted"},
    {"agency_reference":"AUU-1","state":"approved"},
    {"agency_reference":"AUU-1","state":"failed"},
    {"state":"accepted"},
    "garbage"
  ])");
  auto result = apply_events(*store_, "caf-95", events, "webhook", kNow);
  EXPECT_EQ(result.applied, 1);
  EXPECT_EQ(result.ignored, 1);
  EXPECT_EQ(result.invalid, 4);
  auto c = store_->find_case("c1");
  EXPECT_EQ(c->requests[0].state, "in_review");
  EXPECT_EQ(c->requests[0].history.back().source, "webhook");
  EXPECT_EQ(c->requests[0].history.back().at, "2026-11-18T12:00:00.000Z");
}

TEST_F(AgencyEventsTest, LongMessagesAreClipped) {
  Json events = Json::array({{{"request_id", "r1"}, {"state", "info_requested"}, {"message", std::string(2000, 'x')}}});
  EXPECT_EQ(apply_events(*store_, "caf-95", events, "email", kNow).applied, 1);
  EXPECT_EQ(store_->find_case("c1")->requests[0].message.size(), 500u);
}

}  // namespace
}  // namespace guichet::inbound
