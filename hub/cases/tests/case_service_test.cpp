#include "hub/cases/case_service.h"


#include "hub/cases/api_error.h"
#include "hub/store/sqlite/sqlite_store.h"
#include "hub/store/tests/claim_all.h"

#include <gtest/gtest.h>

#include <set>

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
    routing_.add("95", "allowance", {"caf-95", "CAF du Val-d'Oise", Json{{"working_days", 3}}});
    for (std::string need : {"employment", "housing", "childcare", "psych_support"}) {
      routing_.add("95", need, {need + "-95", "Agence " + need, nullptr});
    }
    keys_ = std::make_unique<privacy::KeyStore>(dir_);
    vault_ = std::make_unique<privacy::Vault>(*keys_);
    service_ = std::make_unique<CaseService>(*store_, *vault_, routing_, [this] { return now_; }, [this] { ++wakeups_; });
  }
  void TearDown() override {
    service_.reset();
    vault_.reset();
    keys_.reset();
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
  std::unique_ptr<privacy::KeyStore> keys_;
  std::unique_ptr<privacy::Vault> vault_;
  Routing routing_;
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
  EXPECT_EQ(store::claim_all(*store_, "w", now_, 1000).size(), 5u);
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
  auto claimed = store::claim_all(*store_, "w", now_, 1000);
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

// Correlations are short (read over the phone): two alike are expected among millions. The intake
// draws again; a minter that never stops repeating itself gets 503, and nothing half-stored.
TEST_F(CaseServiceTest, ACorrelationDrawnTwiceIsDrawnAgain) {
  std::vector<std::string> drawn{"GCH-SAME0001", "GCH-SAME0002", "GCH-SAME0001", "GCH-SAME0003"};
  size_t next = 0;
  Routing routing;
  routing.add("95", "allowance", {"caf-95", "CAF du Val-d'Oise", nullptr});
  routing.add("95", "housing", {"siao-95", "SIAO du Val-d'Oise", nullptr});
  CaseService service(*store_, *vault_, routing, [this] { return now_; }, [] {},
                      [&] { return next < drawn.size() ? drawn[next++] : std::string("GCH-SAME0001"); });
  Json body = example_intake();
  body["needs"] = Json::parse(R"([{"kind":"allowance"},{"kind":"housing","urgency":"tonight"}])");
  body["consent"] = Json::parse(R"({"allowance":true,"housing":true})");
  Answer first = service.create(kAlice, body, "hash-1", std::nullopt);
  // The second case draws SAME0001 (taken), then SAME0003 and SAME0001 again, then SAME0001 only.
  EXPECT_EQ(status_of([&] { service.create(kAlice, body, "hash-2", std::nullopt); }), 503);
  EXPECT_EQ(store_->list_cases(kAlice.referent, 10, std::nullopt).cases.size(), 1u);

  drawn = {"GCH-SAME0001", "GCH-SAME0004", "GCH-SAME0005", "GCH-SAME0006"};
  next = 0;
  Answer third = service.create(kAlice, body, "hash-3", std::nullopt);
  EXPECT_EQ(third.status, 201);
  std::set<std::string> correlations;
  for (const auto& id : {first.case_id, third.case_id}) {
    auto stored = store_->find_case(id);
    ASSERT_TRUE(stored);
    for (const auto& request : stored->requests) correlations.insert(request.correlation);
  }
  EXPECT_EQ(correlations, (std::set<std::string>{"GCH-SAME0001", "GCH-SAME0002", "GCH-SAME0005", "GCH-SAME0006"}));
}

// With a hand-off, the intake leases its rows and hands the deliveries over with the person in
// clear; without a lease (the dispatcher has enough in hand), the rows wait for a claim; a lease
// whose intake did not commit is given back.
TEST_F(CaseServiceTest, AnIntakeHandsItsDeliveriesOverWhenTheDispatcherLeasesThem) {
  bool granting = true;
  size_t leased = 0, given_back = 0;
  std::vector<store::Delivery> handed;
  std::string person;
  Handoff handoff{[&](size_t rows) -> std::optional<store::Lease> {
                    if (!granting) return std::nullopt;
                    leased += rows;
                    return store::Lease{"hub/intake", now_ + 60000};
                  },
                  [&](size_t rows) { given_back += rows; },
                  [&](std::vector<store::Delivery> deliveries, store::PersonRecord plain) {
                    handed = std::move(deliveries);
                    person = plain.person_json;
                  }};
  std::vector<std::string> drawn;
  CaseService service(*store_, *vault_, routing_, [this] { return now_; }, [this] { ++wakeups_; },
                      [&] { return drawn.empty() ? new_correlation() : drawn.back(); }, handoff);
  Answer first = service.create(kAlice, example_intake(), "hash-1", std::nullopt);
  EXPECT_EQ(leased, 5u);
  ASSERT_EQ(handed.size(), 5u);
  EXPECT_EQ(handed[0].request.case_id, first.case_id);
  EXPECT_NE(person.find(example_intake()["person"]["birth_name"].get<std::string>()), std::string::npos);
  EXPECT_EQ(wakeups_, 0);
  EXPECT_TRUE(store::claim_all(*store_, "w", now_, 1000).empty());

  granting = false;
  service.create(kAlice, example_intake(), "hash-2", std::nullopt);
  EXPECT_EQ(wakeups_, 1);
  EXPECT_EQ(store::claim_all(*store_, "w", now_, 1000).size(), 5u);

  granting = true;
  drawn = {handed[0].request.correlation};  // every draw taken: 503, nothing stored
  EXPECT_EQ(status_of([&] { service.create(kAlice, example_intake(), "hash-3", std::nullopt); }), 503);
  EXPECT_EQ(given_back, 5u);
}

TEST_F(CaseServiceTest, ANeedServedBySeveralAgenciesBecomesOneRequestForEach) {
  Routing routing;
  routing.add("95", "allowance", {"caf-95", "CAF du Val-d'Oise", nullptr});
  routing.add("95", "housing", {"siao-95", "SIAO du Val-d'Oise", nullptr});
  routing.add("95", "housing", {"dcdf-95", "Du Côté des Femmes", Json{{"days", 2}}});
  CaseService service(*store_, *vault_, routing, [this] { return now_; }, [] {});
  Json body = example_intake();
  body["needs"] = Json::parse(R"([{"kind":"allowance"},{"kind":"housing","urgency":"tonight"}])");
  body["consent"] = Json::parse(R"({"allowance":true,"housing":true})");
  Answer answer = service.create(kAlice, body, "hash-fan-out", std::nullopt);
  Json requests = Json::parse(answer.body)["requests"];
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1]["need"], "housing");
  EXPECT_EQ(requests[1]["connector"], "siao-95");
  EXPECT_EQ(requests[1]["deadline"], nullptr);
  EXPECT_EQ(requests[2]["need"], "housing");
  EXPECT_EQ(requests[2]["connector"], "dcdf-95");
  EXPECT_EQ(requests[2]["agency"], "Du Côté des Femmes");
  EXPECT_EQ(requests[2]["deadline"], "2026-11-25T09:00:00.000Z");
  EXPECT_NE(requests[1]["request_id"], requests[2]["request_id"]);

  auto claimed = store::claim_all(*store_, "w", now_, 1000);
  ASSERT_EQ(claimed.size(), 3u);
  EXPECT_NE(claimed[1].request.correlation, claimed[2].request.correlation);
  EXPECT_NE(claimed[1].idempotency_key, claimed[2].idempotency_key);

  // The référent still names each need once: adding housing again conflicts while both are open.
  Json more = Json::parse(R"({"needs":[{"kind":"housing"}],"consent":{"housing":true}})");
  EXPECT_EQ(status_of([&] { service.add_needs(kAlice, answer.case_id, more); }), 409);
  // Withdrawing consent for the need withdraws it at every agency serving it.
  service.consent(kAlice, answer.case_id, Json::parse(R"({"need":"housing","given":false})"));
  for (const auto& request : service.get(kAlice, answer.case_id)["requests"]) {
    EXPECT_EQ(request["state"], request["need"] == "housing" ? "withdrawn" : "queued") << request["connector"];
  }
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

TEST_F(CaseServiceTest, PersonalDataIsSealedAndErasureDestroysItsKey) {
  Answer a = create();
  auto sealed = store_->find_person(a.case_id);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->person_json.find("Benali"), std::string::npos);
  EXPECT_EQ(sealed->situation_json.find("complaint"), std::string::npos);
  EXPECT_NE(vault_->open(a.case_id, *sealed)->person_json.find("Benali"), std::string::npos);
  service_->erase(kAlice, a.case_id);
  EXPECT_EQ(status_of([&] { service_->get(kAlice, a.case_id); }), 404);
  EXPECT_FALSE(store_->find_person(a.case_id));
  // A copy of the sealed record taken before the erasure (a backup) no longer opens.
  EXPECT_FALSE(vault_->open(a.case_id, *sealed));
}

}  // namespace
}  // namespace guichet::cases
