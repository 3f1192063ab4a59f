#include "hub/cases/case_service.h"

#include "hub/cases/api_error.h"
#include "hub/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>

namespace guichet::cases {

Json example_intake();

namespace {

namespace fs = std::filesystem;

class CaseServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("guichet-cases-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    store_ = std::make_unique<store::SqliteStore>(dir_ / "guichet.db");
    Routing routing;
    for (std::string need : {"allowance", "employment", "housing", "childcare", "psych_support"}) {
      routing.add("95", need, {need + "-95", "Agence " + need, nullptr});
    }
    routing.add("95", "allowance", {"caf-95", "CAF du Val-d'Oise", Json{{"working_days", 3}}});
    service_ = std::make_unique<CaseService>(*store_, routing, [this] { return now_; }, [this] { ++wakeups_; });
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  Answer create(const Principal& who = kAlice, const std::optional<std::string>& key = std::nullopt,
                const Json& body = example_intake()) {
    return service_->create(who, body, "hash-" + body.dump(), key);
  }
  int status_of(const std::function<void()>& call) {
    try {
      call();
    } catch (const ApiError& e) {
      return e.status();
    }
    return 200;
  }

  inline static const Principal kAlice{"alice", "95"};
  inline static const Principal kBob{"bob", "95"};
  int64_t now_ = 1795424400000;  // Monday 2026-11-23 09:00 UTC
  std::atomic<int> wakeups_{0};
  fs::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<CaseService> service_;
};

TEST_F(CaseServiceTest, OneRequestBecomesOneQueuedRequestPerNeed) {
  Answer answer = create();
  EXPECT_EQ(answer.status, 201);
  Json view = Json::parse(answer.body);
  EXPECT_EQ(view["overall"], "in_progress");
  ASSERT_EQ(view["requests"].size(), 5u);
  EXPECT_EQ(view["requests"][0]["connector"], "caf-95");
  EXPECT_EQ(view["requests"][0]["state"], "queued");
  EXPECT_EQ(view["requests"][0]["deadline"], "2026-11-26T09:00:00.000Z");  // Monday + 3 working days
  EXPECT_EQ(view["requests"][1]["deadline"], nullptr);
  EXPECT_EQ(service_->get(kAlice, answer.case_id), view);
  EXPECT_EQ(wakeups_, 1);
  EXPECT_EQ(store_->claim("w", now_, 1000, 10).size(), 5u);
}

TEST_F(CaseServiceTest, AnotherReferentsCaseDoesNotExist) {
  Answer answer = create();
  EXPECT_EQ(status_of([&] { service_->get(kBob, answer.case_id); }), 404);
  EXPECT_EQ(status_of([&] { service_->get(kBob, "c_doesnotexist"); }), 404);
  EXPECT_EQ(status_of([&] { service_->erase(kBob, answer.case_id); }), 404);
  EXPECT_EQ(status_of([&] { service_->retry(kBob, answer.case_id, "r_x"); }), 404);
  EXPECT_TRUE(store_->find_case(answer.case_id));
}

TEST_F(CaseServiceTest, IdempotencyKeyReplaysAndRefusesAnotherBody) {
  Answer first = create(kAlice, "key-1");
  Answer again = create(kAlice, "key-1");
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(store_->list_cases("alice", 10, std::nullopt).cases.size(), 1u);
  Json other = example_intake();
  other["person"]["birth_name"] = "Autre";
  EXPECT_EQ(status_of([&] { create(kAlice, "key-1", other); }), 422);
  // Keys are the référent's own: Bob's identical key is a new request.
  EXPECT_NE(create(kBob, "key-1").case_id, first.case_id);
  EXPECT_EQ(status_of([&] { create(kAlice, std::string(256, 'k')); }), 400);
  EXPECT_EQ(status_of([&] { create(kAlice, std::string("k\x01")); }), 400);
}

TEST_F(CaseServiceTest, RejectedIntakeStoresNothing) {
  Json body = example_intake();
  body["needs"][0]["kind"] = "unknown";
  EXPECT_EQ(status_of([&] { create(kAlice, "k", body); }), 400);
  EXPECT_TRUE(store_->list_cases("alice", 10, std::nullopt).cases.empty());
  EXPECT_FALSE(store_->find_idempotency("alice", "k"));
}

TEST_F(CaseServiceTest, ListsAndFilters) {
  Answer a = create();
  Answer b = create();
  auto claimed = store_->claim("w", now_, 1000, 10);
  for (const auto& d : claimed) {
    store::Transition t;
    t.entries = {{d.request.case_id == a.case_id ? "failed" : "sent", "2026-11-23T09:00:01.000Z", "dispatch", ""}};
    store_->complete(d, t);
  }
  Json all = service_->list(kAlice, "", 50, "");
  ASSERT_EQ(all["cases"].size(), 2u);
  EXPECT_EQ(all["cases"][0]["case_id"], b.case_id);
  Json urgent = service_->list(kAlice, "action_required", 50, "");
  ASSERT_EQ(urgent["cases"].size(), 1u);
  EXPECT_EQ(urgent["cases"][0]["case_id"], a.case_id);
  Json page = service_->list(kAlice, "", 1, "");
  ASSERT_EQ(page["cases"].size(), 1u);
  ASSERT_TRUE(page["next_cursor"].is_string());
  Json rest = service_->list(kAlice, "", 1, page["next_cursor"]);
  EXPECT_EQ(rest["cases"][0]["case_id"], a.case_id);
  EXPECT_TRUE(rest["next_cursor"].is_null());
  EXPECT_TRUE(service_->list(kBob, "", 50, "")["cases"].empty());
  EXPECT_EQ(status_of([&] { service_->list(kAlice, "late", 50, ""); }), 400);
}

TEST_F(CaseServiceTest, AddingANeedAlreadyOpenConflicts) {
  Json body = example_intake();
  body["needs"] = Json::parse(R"([{"kind":"allowance"}])");
  body["consent"] = Json::parse(R"({"allowance":true})");
  Answer a = create(kAlice, std::nullopt, body);
  Json more = Json::parse(R"({"needs":[{"kind":"housing"}],"consent":{"housing":true}})");
  Json view = service_->add_needs(kAlice, a.case_id, more);
  EXPECT_EQ(view["requests"].size(), 2u);
  EXPECT_EQ(status_of([&] { service_->add_needs(kAlice, a.case_id, more); }), 409);
  Json no_consent = Json::parse(R"({"needs":[{"kind":"childcare"}],"consent":{}})");
  EXPECT_EQ(status_of([&] { service_->add_needs(kAlice, a.case_id, no_consent); }), 400);
}

TEST_F(CaseServiceTest, RetryOnlyFromFailed) {
  Answer a = create();
  std::string request = Json::parse(a.body)["requests"][0]["request_id"];
  EXPECT_EQ(status_of([&] { service_->retry(kAlice, a.case_id, request); }), 409);
  EXPECT_EQ(status_of([&] { service_->retry(kAlice, a.case_id, "r_unknown"); }), 404);
}

TEST_F(CaseServiceTest, WithdrawingConsentWithdrawsTheRequest) {
  Answer a = create();
  service_->consent(kAlice, a.case_id, Json::parse(R"({"need":"housing","given":false})"));
  Json view = service_->get(kAlice, a.case_id);
  EXPECT_EQ(view["requests"][2]["need"], "housing");
  EXPECT_EQ(view["requests"][2]["state"], "withdrawn");
  EXPECT_EQ(status_of([&] { service_->consent(kAlice, a.case_id, Json::parse(R"({"need":"x","given":false})")); }), 400);
}

TEST_F(CaseServiceTest, ErasedCasesAreGone) {
  Answer a = create();
  service_->erase(kAlice, a.case_id);
  EXPECT_EQ(status_of([&] { service_->get(kAlice, a.case_id); }), 404);
  EXPECT_FALSE(store_->find_person(a.case_id));
}

}  // namespace
}  // namespace guichet::cases
