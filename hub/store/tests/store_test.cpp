#include "hub/store/open_store.h"

#include "hub/domain/time.h"
#include "hub/store/audit_chain.h"
#include "hub/store/tests/claim_all.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <thread>

namespace guichet::store {
namespace {

namespace fs = std::filesystem;
using namespace Poco::Data::Keywords;

// The PostgreSQL server the tests may use (scripts/test starts one), as a libpq connection string.
std::string test_postgres() {
  const char* connection = std::getenv("GUICHET_TEST_PG");
  return connection ? connection : "";
}

// Every test runs against each store. A PostgreSQL test gets a database of its own on the test
// server, dropped afterwards, so tests never see each other's rows.
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    suffix_ = std::to_string(std::random_device{}());
    config_.kind = GetParam();
    if (config_.kind == "postgresql") {
      if (test_postgres().empty()) GTEST_SKIP() << "GUICHET_TEST_PG is not set: no PostgreSQL server to test against";
      Poco::Data::PostgreSQL::Connector::registerConnector();
      admin_ = std::make_unique<Poco::Data::Session>("PostgreSQL", test_postgres());
      // template0: copies of template1 made at the same moment by parallel tests fail ("being
      // accessed by other users"); template0 is never connected to.
      *admin_ << "CREATE DATABASE store_test_" + suffix_ + " TEMPLATE template0", now;
      config_.connection = test_postgres() + " dbname=store_test_" + suffix_;  // the last dbname counts
    } else {
      dir_ = fs::temp_directory_path() / ("guichet-store-" + suffix_);
      fs::create_directories(dir_);
      config_.file = dir_ / "guichet.db";
    }
    store_ = open_store(config_);
  }
  void TearDown() override {
    store_.reset();
    if (admin_) *admin_ << "DROP DATABASE store_test_" + suffix_ + " WITH (FORCE)", now;
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Another handle on the same database, as a second hub has.
  std::unique_ptr<Store> second_store() { return open_store(config_); }

  // A session straight on the database, past the store, as someone tampering with it has.
  Poco::Data::Session raw() {
    if (config_.kind == "postgresql") return Poco::Data::Session("PostgreSQL", config_.connection);
    Poco::Data::SQLite::Connector::registerConnector();
    return Poco::Data::Session("SQLite", config_.file.string());
  }

  std::vector<std::string> audit_actions() {
    std::vector<std::string> actions;
    for (const auto& e : store_->audit_entries("", 0, 1000)) actions.push_back(e.action);
    return actions;
  }

  NewCase a_case(const std::string& id, const std::string& owner = "ref-a") {
    NewCase c;
    c.id = id;
    c.owner = owner;
    c.department = "95";
    c.at = format_time(kStart);
    c.person = {R"({"birth_name":"X"})", R"({"department":"95"})"};
    for (std::string need : {"allowance", "housing"}) {
      c.requests.push_back({id + "-" + need, need, R"({"kind":")" + need + "\"}", need + "-95",
                            "Agence", "", id + need, "key-" + id + need});
    }
    c.consents.push_back({"allowance", true, c.at, owner, "referent"});
    return c;
  }

  static constexpr int64_t kStart = 1795000000000;
  static constexpr const char* kActor = "referent:ref-a";
  std::string suffix_;
  StoreConfig config_;
  fs::path dir_;
  std::unique_ptr<Poco::Data::Session> admin_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, StoresACaseWithItsRequestsAndOneOutboxRowEach) {
  store_->create_case(a_case("c1"), std::nullopt);
  auto found = store_->find_case("c1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->owner, "ref-a");
  ASSERT_EQ(found->requests.size(), 2u);
  EXPECT_EQ(found->requests[0].state, "queued");
  ASSERT_EQ(found->requests[0].history.size(), 1u);
  EXPECT_EQ(found->requests[0].history[0].source, "hub");
  EXPECT_EQ(store_->find_person("c1")->person_json, R"({"birth_name":"X"})");

  auto claimed = claim_all(*store_, "w1", kStart, 60000);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_EQ(claimed[0].idempotency_key, claimed[0].request.delivery_key);
  EXPECT_EQ(claimed[0].case_owner, "ref-a");
  // Leased rows are invisible to another worker until the lease ends.
  EXPECT_TRUE(claim_all(*store_, "w2", kStart + 1000, 60000).empty());
  auto reclaimed = claim_all(*store_, "w2", kStart + 61000, 60000);
  ASSERT_EQ(reclaimed.size(), 2u);
  EXPECT_EQ(reclaimed[0].attempts, 2);
}

TEST_P(StoreTest, SurvivesReopening) {
  store_->create_case(a_case("c1"), std::nullopt);
  store_.reset();
  store_ = open_store(config_);
  EXPECT_TRUE(store_->find_case("c1"));
  EXPECT_EQ(claim_all(*store_, "w", kStart, 1000).size(), 2u);
}

// The outbox as the version before this one left it: no instance column, and a leased row still
// due at its first time (the lease was a second condition, which the claim no longer reads).
TEST_P(StoreTest, AnOutboxLeftByAnEarlierVersionIsBroughtUpToDate) {
  store_->create_case(a_case("c1"), std::nullopt);
  {
    auto session = raw();
    if (config_.kind == "sqlite") session << "DROP INDEX outbox_by_instance", now;
    session << "ALTER TABLE outbox DROP COLUMN instance", now;
    session << "UPDATE outbox SET lease_owner = 'old-hub', lease_until = " + std::to_string(kStart + 60000) +
                   " WHERE request_id = 'c1-allowance'",
        now;
  }
  store_.reset();
  store_ = open_store(config_);
  // The leased row waits for its lease; the other is claimed, with its instance.
  auto claimed = claim_all(*store_, "new-hub", kStart, 600000);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].request.id, "c1-housing");
  auto after_lease = claim_all(*store_, "new-hub", kStart + 60000, 60000);
  ASSERT_EQ(after_lease.size(), 1u);
  EXPECT_EQ(after_lease[0].request.id, "c1-allowance");
  EXPECT_EQ(after_lease[0].request.instance, "allowance-95");
}

TEST_P(StoreTest, OpenRequestsAreReadAPageAtATimeInIdOrder) {
  for (const char* id : {"c3", "c1", "c2"}) store_->create_case(a_case(id), std::nullopt);
  for (const auto& delivery : claim_all(*store_, "w", kStart, 60000)) {
    Transition acknowledged;
    acknowledged.entries = {{"acknowledged", format_time(kStart), "dispatch", ""}};
    acknowledged.agency_reference = "REF-" + delivery.request.id;
    store_->complete(delivery, acknowledged);
  }
  // Settled requests are not open.
  AgencyEvent accepted{"housing-95", "c2-housing", "", "accepted", format_time(kStart + 1), format_time(kStart + 1), "poll", ""};
  ASSERT_TRUE(store_->apply_agency_event(accepted));
  std::vector<std::string> walked;
  for (std::string after;;) {
    auto page = store_->open_requests("housing-95", after, 1);
    if (page.empty()) break;
    ASSERT_EQ(page.size(), 1u);
    EXPECT_EQ(page[0].agency_reference, "REF-" + page[0].request_id);
    EXPECT_EQ(page[0].state, "acknowledged");
    walked.push_back(page[0].request_id);
    after = page[0].request_id;
  }
  EXPECT_EQ(walked, (std::vector<std::string>{"c1-housing", "c3-housing"}));
  EXPECT_EQ(store_->open_requests("allowance-95", "", 10).size(), 3u);
}

// An intake that leases its rows in its own transaction gets its deliveries back, counted as an
// attempt, as a claim would have returned them; nobody else claims them before the lease ends.
TEST_P(StoreTest, AnIntakeLeasingItsRowsGetsItsDeliveriesAndNoClaimTakesThemBeforeTheLeaseEnds) {
  NewCase c = a_case("c1");
  c.lease = Lease{"hub/intake", kStart + 60000};
  auto leased = store_->create_case(c, std::nullopt);
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(leased[0].request.id, "c1-allowance");
  EXPECT_EQ(leased[0].operation, "deliver");
  EXPECT_EQ(leased[0].attempts, 1);
  EXPECT_EQ(leased[0].idempotency_key, "key-c1allowance");
  EXPECT_EQ(leased[0].request.instance, "allowance-95");
  EXPECT_EQ(leased[0].case_owner, "ref-a");
  EXPECT_EQ(leased[1].request.id, "c1-housing");
  EXPECT_NE(leased[0].outbox_id, leased[1].outbox_id);
  EXPECT_TRUE(claim_all(*store_, "other", kStart + 1000, 60000).empty());
  EXPECT_EQ(store_->still_leased("hub/intake", {leased[0].outbox_id, leased[1].outbox_id, 999999}).size(), 2u);
  EXPECT_TRUE(store_->still_leased("hub/3", {leased[0].outbox_id}).empty());

  // A frozen case's rows are no longer to be delivered by whoever holds them.
  ASSERT_TRUE(store_->set_frozen("c1", true, format_time(kStart), kActor));
  EXPECT_TRUE(store_->still_leased("hub/intake", {leased[0].outbox_id}).empty());
  ASSERT_TRUE(store_->set_frozen("c1", false, format_time(kStart), kActor));

  // Outcome recorded for one; the other's holder died: it is claimed once the lease has ended.
  Transition sent;
  sent.entries = {{"sent", format_time(kStart + 10), "dispatch", ""}};
  store_->complete(leased[0], sent);
  auto after = claim_all(*store_, "other", kStart + 60000, 60000);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].request.id, "c1-housing");
  EXPECT_EQ(after[0].attempts, 2);

  // Erased: nothing of it is left to deliver.
  ASSERT_TRUE(store_->erase_case("c1", kActor));
  EXPECT_TRUE(store_->still_leased("other", {after[0].outbox_id}).empty());
}

TEST_P(StoreTest, ARequestWhoseCorrelationIsTakenStoresNothing) {
  store_->create_case(a_case("c1"), std::nullopt);
  NewCase second = a_case("c2");
  second.requests[1].correlation = "c1housing";
  EXPECT_THROW(store_->create_case(second, std::nullopt), CorrelationTaken);
  EXPECT_FALSE(store_->find_case("c2"));
  EXPECT_EQ(claim_all(*store_, "w", kStart, 60000).size(), 2u);
  NewRequest more{"c1-more", "childcare", R"({"kind":"childcare"})", "childcare-95", "Agence", "", "c1allowance",
                  "key-more"};
  EXPECT_THROW(store_->add_requests("c1", format_time(kStart), {more}, {}, kActor), CorrelationTaken);
  EXPECT_EQ(store_->find_case("c1")->requests.size(), 2u);
}

TEST_P(StoreTest, CompleteAndRescheduleMoveTheRequest) {
  store_->create_case(a_case("c1"), std::nullopt);
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  Transition sent;
  sent.entries = {{"sent", format_time(kStart + 10), "dispatch", ""},
                  {"acknowledged", format_time(kStart + 10), "dispatch", ""}};
  sent.agency_reference = "AUU-1";
  store_->complete(claimed[0], sent);
  Transition later;
  later.retrying = true;
  later.message = "agence indisponible";
  store_->reschedule(claimed[1], kStart + 5000, later);

  auto c = store_->find_case("c1");
  EXPECT_EQ(c->requests[0].state, "acknowledged");
  EXPECT_EQ(c->requests[0].agency_reference, "AUU-1");
  EXPECT_EQ(c->requests[0].history.size(), 3u);
  EXPECT_EQ(c->requests[1].state, "queued");
  EXPECT_TRUE(c->requests[1].retrying);
  EXPECT_EQ(c->requests[1].message, "agence indisponible");
  EXPECT_EQ(store_->next_due_ms(), kStart + 5000);
  EXPECT_TRUE(claim_all(*store_, "w", kStart + 4000, 60000).empty());
  EXPECT_EQ(claim_all(*store_, "w", kStart + 5000, 60000).size(), 1u);
}

TEST_P(StoreTest, AClaimHoldsTheRowsOfOneInstanceTheOneDueFirst) {
  store_->create_case(a_case("c1"), std::nullopt);
  store_->create_case(a_case("c2"), std::nullopt);
  auto first = store_->claim("w", kStart, 60000, 10);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].request.instance, first[1].request.instance);
  EXPECT_EQ(first[0].request.case_id, "c1");
  EXPECT_EQ(first[1].request.case_id, "c2");
  auto second = store_->claim("w", kStart, 60000, 10);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].request.instance, second[1].request.instance);
  EXPECT_NE(second[0].request.instance, first[0].request.instance);
  EXPECT_TRUE(store_->claim("w", kStart, 60000, 10).empty());
}

TEST_P(StoreTest, ABatchIsSettledAtOnce) {
  store_->create_case(a_case("c1"), std::nullopt);
  store_->create_case(a_case("c2"), std::nullopt);
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  ASSERT_EQ(claimed.size(), 4u);
  // c1's two requests, then c2's.
  std::sort(claimed.begin(), claimed.end(), [](const Delivery& a, const Delivery& b) { return a.outbox_id < b.outbox_id; });
  Transition sent;
  sent.entries = {{"sent", format_time(kStart + 10), "dispatch", ""}};
  sent.disclosed = {"person.birth_name"};
  Transition later;
  later.retrying = true;
  Transition waiting;
  waiting.retrying = true;
  store_->settle({Settlement::done(claimed[0], sent), Settlement::done(claimed[1], sent),
                  Settlement::due_again(claimed[2], later, kStart + 5000),
                  Settlement::due_again(claimed[3], waiting, kStart + 7000, false)});

  EXPECT_EQ(store_->find_case("c1")->requests[0].state, "sent");
  EXPECT_EQ(store_->find_case("c1")->requests[1].state, "sent");
  EXPECT_EQ(store_->disclosures("c1").size(), 2u);
  EXPECT_TRUE(store_->find_case("c2")->requests[0].retrying);
  EXPECT_EQ(store_->outbox_stats().depth, 2);
  auto again = claim_all(*store_, "w", kStart + 7000, 60000);
  ASSERT_EQ(again.size(), 2u);
  std::sort(again.begin(), again.end(), [](const Delivery& a, const Delivery& b) { return a.outbox_id < b.outbox_id; });
  EXPECT_EQ(again[0].attempts, 2);  // counted
  EXPECT_EQ(again[1].attempts, 1);  // refunded: the connector was not called
  // Three attempts reached a connector; the refunded claim is not audited.
  auto actions = audit_actions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "dispatch.deliver"), 3);
}

TEST_P(StoreTest, ACaseSharedWithAColleagueIsListedForThemUntilItIsNoLonger) {
  store_->create_case(a_case("c1", "ref-a"), std::nullopt);
  store_->create_case(a_case("c2", "ref-b"), std::nullopt);
  store_->create_case(a_case("c3", "ref-a"), std::nullopt);
  EXPECT_TRUE(store_->add_delegate("c1", "ref-b", format_time(kStart), kActor));
  EXPECT_FALSE(store_->add_delegate("c1", "ref-b", format_time(kStart), kActor));  // already
  EXPECT_FALSE(store_->add_delegate("c9", "ref-b", format_time(kStart), kActor));  // no such case
  EXPECT_TRUE(store_->add_delegate("c3", "ref-c", format_time(kStart), kActor));
  EXPECT_EQ(store_->find_case("c1")->delegates, std::vector<std::string>{"ref-b"});

  auto ids = [&](const std::string& referent, int limit, std::optional<int64_t> before = std::nullopt) {
    std::vector<std::string> out;
    for (const auto& c : store_->list_cases(referent, limit, before).cases) out.push_back(c.id);
    return out;
  };
  EXPECT_EQ(ids("ref-b", 10), (std::vector<std::string>{"c2", "c1"}));  // newest first, own and shared
  EXPECT_EQ(ids("ref-a", 10), (std::vector<std::string>{"c3", "c1"}));
  CasePage first = store_->list_cases("ref-b", 1, std::nullopt);
  ASSERT_TRUE(first.next_before_seq);
  EXPECT_EQ(ids("ref-b", 1, first.next_before_seq), std::vector<std::string>{"c1"});

  EXPECT_TRUE(store_->remove_delegate("c1", "ref-b", kActor));
  EXPECT_FALSE(store_->remove_delegate("c1", "ref-b", kActor));
  EXPECT_EQ(ids("ref-b", 10), std::vector<std::string>{"c2"});
  EXPECT_TRUE(store_->erase_case("c3", kActor));
  EXPECT_EQ(ids("ref-c", 10), std::vector<std::string>{});
  auto actions = audit_actions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "case.delegate"), 2);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "case.undelegate"), 1);
}

TEST_P(StoreTest, AgencyEventsAreMonotonic) {
  store_->create_case(a_case("c1"), std::nullopt);
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  Transition sent;
  sent.entries = {{"sent", format_time(kStart), "dispatch", ""}};
  sent.agency_reference = "AUU-1";
  store_->complete(claimed[0], sent);

  auto event = [&](std::string state, int64_t at) {
    return AgencyEvent{"allowance-95", "", "AUU-1", state, format_time(at), format_time(kStart), "webhook", ""};
  };
  EXPECT_TRUE(store_->apply_agency_event(event("in_review", kStart + 2000)));
  EXPECT_FALSE(store_->apply_agency_event(event("acknowledged", kStart + 3000)));   // backwards
  EXPECT_FALSE(store_->apply_agency_event(event("in_review", kStart + 3000)));      // nothing new
  EXPECT_FALSE(store_->apply_agency_event(event("accepted", kStart + 1000)));       // older report
  EXPECT_TRUE(store_->apply_agency_event(event("accepted", kStart + 4000)));
  EXPECT_FALSE(store_->apply_agency_event(event("refused", kStart + 5000)));        // terminal
  AgencyEvent other = event("accepted", kStart + 6000);
  other.instance = "housing-95";                                                    // not its agency
  EXPECT_FALSE(store_->apply_agency_event(other));
  EXPECT_EQ(store_->find_case("c1")->requests[0].state, "accepted");
  EXPECT_TRUE(store_->open_requests("allowance-95", "", 100).empty());
}

TEST_P(StoreTest, WithdrawingAnUnsentRequestDropsItsDelivery) {
  store_->create_case(a_case("c1"), std::nullopt);
  EXPECT_TRUE(store_->withdraw_request("c1-housing", format_time(kStart), "", "referent", kActor));
  EXPECT_FALSE(store_->withdraw_request("c1-housing", format_time(kStart), "", "referent", kActor));
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].request.id, "c1-allowance");
}

TEST_P(StoreTest, WithdrawingASentRequestQueuesAWithdrawalAfterTheDelivery) {
  store_->create_case(a_case("c1"), std::nullopt);
  auto claimed = claim_all(*store_, "w", kStart, 60000);  // both in flight
  EXPECT_TRUE(store_->withdraw_request("c1-allowance", format_time(kStart), "retour au domicile", "referent", kActor));
  // The withdrawal waits behind the delivery still in flight.
  EXPECT_TRUE(claim_all(*store_, "w2", kStart, 60000).empty());
  Transition sent;
  sent.entries = {{"sent", format_time(kStart), "dispatch", ""}};
  store_->complete(claimed[0], sent);
  auto withdrawal = claim_all(*store_, "w2", kStart, 60000);
  ASSERT_EQ(withdrawal.size(), 1u);
  EXPECT_EQ(withdrawal[0].operation, "withdraw");
  EXPECT_EQ(withdrawal[0].idempotency_key, claimed[0].idempotency_key + "-withdraw");
  EXPECT_EQ(withdrawal[0].reason, "retour au domicile");
  // The late "sent" did not resurrect the withdrawn request.
  EXPECT_EQ(store_->find_case("c1")->requests[0].state, "withdrawn");
}

TEST_P(StoreTest, RetryOnlyFromFailedAndWithTheSameKey) {
  store_->create_case(a_case("c1"), std::nullopt);
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  EXPECT_FALSE(store_->retry_request("c1-allowance", format_time(kStart), kActor));  // still queued
  Transition failed;
  failed.entries = {{"failed", format_time(kStart), "dispatch", ""}};
  failed.message = "données refusées";
  store_->complete(claimed[0], failed);
  EXPECT_TRUE(store_->retry_request("c1-allowance", format_time(kStart + 1), kActor));
  auto again = claim_all(*store_, "w", kStart + 1, 60000);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].idempotency_key, claimed[0].idempotency_key);
  EXPECT_EQ(store_->find_case("c1")->requests[0].message, "");
}

TEST_P(StoreTest, AnAnswerIsQueuedOnlyForAQuestionWithItsOwnKey) {
  store_->create_case(a_case("c1"), std::nullopt);
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  Transition acknowledged;
  acknowledged.entries = {{"acknowledged", format_time(kStart), "dispatch", "AUU-1"}};
  acknowledged.agency_reference = "AUU-1";
  store_->complete(claimed[0], acknowledged);
  std::string key = claimed[0].idempotency_key + "-answer-1";
  EXPECT_FALSE(store_->answer_request("c1-allowance", key, "sealed", format_time(kStart), kActor));  // no question
  EXPECT_TRUE(store_->apply_agency_event({"allowance-95", "", "AUU-1", "info_requested", format_time(kStart + 1),
                                          format_time(kStart + 1), "webhook", "pièce manquante"}));

  EXPECT_TRUE(store_->answer_request("c1-allowance", key, "sealed", format_time(kStart + 2), kActor));
  EXPECT_FALSE(store_->answer_request("c1-allowance", key + "0", "sealed", format_time(kStart + 3), kActor));
  auto request = store_->find_case("c1")->requests[0];
  EXPECT_EQ(request.state, "in_review");
  EXPECT_EQ(request.history.back().source, "referent");
  auto answer = claim_all(*store_, "w", kStart + 2, 60000);
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0].operation, "answer");
  EXPECT_EQ(answer[0].idempotency_key, key);
  EXPECT_EQ(answer[0].reason, "sealed");
  EXPECT_EQ(answer[0].request.agency_reference, "AUU-1");
  auto entries = store_->audit_entries("c1", 0, 100);
  EXPECT_EQ(entries.back().action, "request.answer");
  EXPECT_EQ(entries.back().detail, R"({"from":"info_requested"})");
}

TEST_P(StoreTest, OneOpenRequestPerNeed) {
  store_->create_case(a_case("c1"), std::nullopt);
  NewRequest twice{"dup", "housing", "{}", "housing-95", "Agence", "", "corr-dup", "key-dup"};
  EXPECT_ANY_THROW(store_->add_requests("c1", format_time(kStart), {twice}, {}, kActor));
  EXPECT_EQ(store_->find_case("c1")->requests.size(), 2u);
  store_->withdraw_request("c1-housing", format_time(kStart), "", "referent", kActor);
  store_->add_requests("c1", format_time(kStart), {twice}, {}, kActor);
  EXPECT_EQ(store_->find_case("c1")->requests.size(), 3u);
}

TEST_P(StoreTest, ANeedMayBeOpenOnceWithEachServingAgency) {
  store_->create_case(a_case("c1"), std::nullopt);
  NewRequest association{"assoc", "housing", "{}", "association-95", "Association", "", "corr-assoc", "key-assoc"};
  store_->add_requests("c1", format_time(kStart), {association}, {}, kActor);
  EXPECT_EQ(store_->find_case("c1")->requests.size(), 3u);
  NewRequest again{"assoc-2", "housing", "{}", "association-95", "Association", "", "corr-assoc-2", "key-assoc-2"};
  EXPECT_ANY_THROW(store_->add_requests("c1", format_time(kStart), {again}, {}, kActor));
}

TEST_P(StoreTest, IdempotentAnswersAreScopedAndRaceSafe) {
  IdempotencyEntry answer{"ref-a", "k1", "hash", 201, "{}"};
  store_->create_case(a_case("c1"), answer);
  EXPECT_EQ(store_->find_idempotency("ref-a", "k1")->body_hash, "hash");
  EXPECT_FALSE(store_->find_idempotency("ref-b", "k1"));
  EXPECT_THROW(store_->create_case(a_case("c2"), answer), IdempotencyRace);
  EXPECT_FALSE(store_->find_case("c2"));  // nothing half-written
}

TEST_P(StoreTest, ListsNewestFirstWithPages) {
  for (int i = 0; i < 5; ++i) store_->create_case(a_case("c" + std::to_string(i)), std::nullopt);
  store_->create_case(a_case("other", "ref-b"), std::nullopt);
  auto first = store_->list_cases("ref-a", 2, std::nullopt);
  ASSERT_EQ(first.cases.size(), 2u);
  EXPECT_EQ(first.cases[0].id, "c4");
  EXPECT_EQ(first.cases[0].requests.size(), 2u);
  ASSERT_TRUE(first.next_before_seq);
  auto second = store_->list_cases("ref-a", 10, first.next_before_seq);
  ASSERT_EQ(second.cases.size(), 3u);
  EXPECT_EQ(second.cases[2].id, "c0");
  EXPECT_FALSE(second.next_before_seq);
}

TEST_P(StoreTest, ErasureLeavesNothingOfTheCase) {
  store_->create_case(a_case("c1"), IdempotencyEntry{"ref-a", "k1", "h", 201, "{}"});
  EXPECT_TRUE(store_->erase_case("c1", kActor));
  EXPECT_FALSE(store_->find_case("c1"));
  EXPECT_FALSE(store_->find_person("c1"));
  EXPECT_FALSE(store_->find_idempotency("ref-a", "k1"));
  EXPECT_TRUE(claim_all(*store_, "w", kStart, 1000).empty());
  EXPECT_FALSE(store_->erase_case("c1", kActor));
}

TEST_P(StoreTest, MailIsMatchedByCorrelationOrByDeliveryKey) {
  store_->create_case(a_case("c1", "ref-a"), std::nullopt);
  auto by_correlation = store_->match_mail("c1housing", "");
  ASSERT_TRUE(by_correlation);
  EXPECT_EQ(by_correlation->request_id, "c1-housing");
  EXPECT_EQ(by_correlation->instance, "housing-95");
  EXPECT_EQ(by_correlation->department, "95");
  EXPECT_EQ(by_correlation->owner, "ref-a");
  EXPECT_EQ(by_correlation->state, "queued");
  // An unknown correlation (a forged or mistyped tag) falls back on the quoted Message-ID.
  EXPECT_EQ(store_->match_mail("GCH-UNKNOWN", "key-c1allowance")->request_id, "c1-allowance");
  EXPECT_FALSE(store_->match_mail("GCH-UNKNOWN", "key-unknown"));
  EXPECT_FALSE(store_->match_mail("", ""));
  EXPECT_EQ(store_->find_request("c1-allowance")->case_id, "c1");
  EXPECT_FALSE(store_->find_request("c1-nothing"));
}

TEST_P(StoreTest, ABounceFailsOnlyARequestTheAgencyHasNotAnswered) {
  store_->create_case(a_case("c1"), std::nullopt);
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  Transition sent;
  sent.entries = {{"sent", format_time(kStart), "dispatch", ""}};
  for (const auto& delivery : claimed) store_->complete(delivery, sent);
  ASSERT_TRUE(store_->apply_agency_event(
      {"housing-95", "c1-housing", "", "acknowledged", format_time(kStart + 10), format_time(kStart + 10), "email", ""}));

  EXPECT_TRUE(store_->fail_request("c1-allowance", format_time(kStart + 20), "courriel non distribué (5.1.1)"));
  EXPECT_FALSE(store_->fail_request("c1-allowance", format_time(kStart + 30), "again"));  // already failed
  EXPECT_FALSE(store_->fail_request("c1-housing", format_time(kStart + 30), "late bounce"));
  auto c = store_->find_case("c1");
  EXPECT_EQ(c->requests[0].state, "failed");
  EXPECT_EQ(c->requests[0].message, "courriel non distribué (5.1.1)");
  EXPECT_EQ(c->requests[0].history.back().source, "email");
  EXPECT_EQ(c->requests[1].state, "acknowledged");
}

TEST_P(StoreTest, AReviewItemIsQueuedOnceThenFiledOrDismissed) {
  store_->create_case(a_case("c1"), std::nullopt);
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  Transition sent;
  sent.entries = {{"sent", format_time(kStart), "dispatch", ""}};
  for (const auto& delivery : claimed) store_->complete(delivery, sent);

  ReviewItem matched{"m1", "<a@x>", "95", "ref-a", "housing-95", "c1-housing", "c1", format_time(kStart), "g1.sealed"};
  ReviewItem loose{"m2", "<b@x>", "95", "", "", "", "", format_time(kStart + 1), "g1.other"};
  EXPECT_TRUE(store_->add_review_item(matched));
  EXPECT_TRUE(store_->add_review_item(loose));
  ReviewItem again = matched;
  again.id = "m3";
  EXPECT_FALSE(store_->add_review_item(again));  // the same mail, read again after a crash
  auto waiting = store_->review_items("95");
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0].id, "m1");
  EXPECT_EQ(waiting[0].sealed, "g1.sealed");
  EXPECT_EQ(waiting[1].owner, "");
  EXPECT_TRUE(store_->review_items("93").empty());

  AgencyEvent refused{"housing-95", "c1-housing", "", "refused", format_time(kStart + 5), format_time(kStart + 5),
                      "referent", "plus de place"};
  AgencyEvent backwards = refused;
  backwards.state = "queued";
  EXPECT_FALSE(store_->file_review_item("m1", backwards, kActor));
  EXPECT_TRUE(store_->find_review_item("m1"));  // a refused filing leaves the item waiting
  EXPECT_TRUE(store_->file_review_item("m1", refused, kActor));
  EXPECT_FALSE(store_->find_review_item("m1"));
  EXPECT_FALSE(store_->file_review_item("m1", refused, kActor));
  auto request = store_->find_case("c1")->requests[1];
  ASSERT_EQ(request.id, "c1-housing");
  EXPECT_EQ(request.state, "refused");
  EXPECT_EQ(request.history.back().source, "referent");
  EXPECT_EQ(request.message, "plus de place");

  EXPECT_TRUE(store_->dismiss_review_item("m2", format_time(kStart + 6), kActor));
  EXPECT_FALSE(store_->dismiss_review_item("m2", format_time(kStart + 7), kActor));
  EXPECT_TRUE(store_->review_items("95").empty());
  // Closed items still remember their mail, so that it is never queued again.
  loose.id = "m4";
  EXPECT_FALSE(store_->add_review_item(loose));
}

TEST_P(StoreTest, ErasingACaseRemovesItsReviewItems) {
  store_->create_case(a_case("c1"), std::nullopt);
  ASSERT_TRUE(store_->add_review_item({"m1", "<a@x>", "95", "ref-a", "housing-95", "c1-housing", "c1",
                                       format_time(kStart), "g1.sealed"}));
  EXPECT_TRUE(store_->erase_case("c1", kActor));
  EXPECT_TRUE(store_->review_items("95").empty());
  EXPECT_FALSE(store_->find_review_item("m1"));
}

TEST_P(StoreTest, SettledCasesAreListedForRetentionOnlyOnceAllTheirRequestsAreFinal) {
  store_->create_case(a_case("c1"), std::nullopt);
  store_->create_case(a_case("c2"), std::nullopt);
  for (const auto& d : claim_all(*store_, "w", kStart, 60000)) {
    Transition sent;
    sent.entries = {{"sent", format_time(kStart), "dispatch", ""}};
    store_->complete(d, sent);
  }
  for (std::string id : {"c1-allowance", "c1-housing", "c2-allowance"}) {
    std::string instance = id.find("allowance") != std::string::npos ? "allowance-95" : "housing-95";
    ASSERT_TRUE(store_->apply_agency_event(
        {instance, id, "", "accepted", format_time(kStart + 10), format_time(kStart + 10), "poll", ""}));
  }
  // c1 is settled; c2 still has its housing request open.
  EXPECT_EQ(store_->settled_cases_before(format_time(kStart + 1000), 10), std::vector<std::string>{"c1"});
  EXPECT_TRUE(store_->settled_cases_before(format_time(kStart), 10).empty()) << "touched since";
  EXPECT_TRUE(store_->settled_cases_before(format_time(kStart + 1000), 0).empty());
}

TEST_P(StoreTest, CursorsPersist) {
  EXPECT_FALSE(store_->cursor("ft-95"));
  store_->set_cursor("ft-95", "2026-11-18T08:00:00Z");
  store_->set_cursor("ft-95", "2026-11-18T09:00:00Z");
  EXPECT_EQ(store_->cursor("ft-95"), "2026-11-18T09:00:00Z");
}

TEST_P(StoreTest, FrozenCasesAreNeverClaimed) {
  store_->create_case(a_case("c1"), std::nullopt);
  EXPECT_TRUE(store_->set_frozen("c1", true, format_time(kStart), kActor));
  EXPECT_TRUE(claim_all(*store_, "w", kStart, 60000).empty());
  EXPECT_TRUE(store_->set_frozen("c1", false, format_time(kStart), kActor));
  EXPECT_EQ(claim_all(*store_, "w", kStart, 60000).size(), 2u);
}

TEST_P(StoreTest, TwoHubsNeverClaimTheSameRow) {
  for (int i = 0; i < 40; ++i) store_->create_case(a_case("c" + std::to_string(i)), std::nullopt);
  auto other = second_store();
  std::vector<Delivery> mine, theirs;
  auto drain = [&](Store& store, const std::string& worker, std::vector<Delivery>& out) {
    for (;;) {
      auto claimed = store.claim(worker, kStart, 60000, 3);
      if (claimed.empty()) return;
      out.insert(out.end(), claimed.begin(), claimed.end());
    }
  };
  std::thread a([&] { drain(*store_, "hub-a", mine); });
  std::thread b([&] { drain(*other, "hub-b", theirs); });
  a.join();
  b.join();
  std::set<int64_t> ids;
  for (const auto& d : mine) ids.insert(d.outbox_id);
  for (const auto& d : theirs) ids.insert(d.outbox_id);
  EXPECT_EQ(mine.size() + theirs.size(), 80u);
  EXPECT_EQ(ids.size(), 80u);  // no row handed out twice
}

TEST_P(StoreTest, ConcurrentIntakesWithOneKeyStoreOneCase) {
  IdempotencyEntry answer{"ref-a", "k1", "hash", 201, "{}"};
  auto other = second_store();
  std::atomic<int> stored{0}, raced{0};
  auto intake = [&](Store& store, const std::string& id) {
    try {
      store.create_case(a_case(id), answer);
      ++stored;
    } catch (const IdempotencyRace&) {
      ++raced;
    }
  };
  std::thread a([&] { intake(*store_, "c1"); });
  std::thread b([&] { intake(*other, "c2"); });
  a.join();
  b.join();
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(raced.load(), 1);
  EXPECT_NE(static_cast<bool>(store_->find_case("c1")), static_cast<bool>(store_->find_case("c2")));
}

TEST_P(StoreTest, AServerOutOfReachIsUnavailableAndALostConnectionIsReplaced) {
  if (GetParam() != "postgresql") GTEST_SKIP() << "an embedded database has no server to lose";
  StoreConfig nowhere = config_;
  nowhere.connection = test_postgres() + " port=1 connect_timeout=2";  // the last port counts
  EXPECT_THROW(open_store(nowhere), StoreUnavailable);

  store_->create_case(a_case("c1"), std::nullopt);
  // What a server restart does to the hub's pooled connections.
  // Only this test's database: the admin session itself is on the shared one, with every other
  // test's admin session, which must survive.
  *admin_ << "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'store_test_" + suffix_ + "'",
      now;
  // A call on a connection the server closed fails as StoreUnavailable (the caller answers 503);
  // the connection is dropped and the next calls get a new one.
  std::optional<CaseRecord> found;
  for (int i = 0; i < 10 && !found; ++i) {
    try {
      found = store_->find_case("c1");
    } catch (const StoreUnavailable&) {
    }
  }
  EXPECT_TRUE(found);
}

TEST_P(StoreTest, EveryChangeIsAuditedInItsTransactionAndARefusedOneIsNot) {
  store_->create_case(a_case("c1"), std::nullopt);
  EXPECT_THROW(store_->create_case(a_case("c1"), std::nullopt), std::exception);  // the id is taken
  store_->record_audit(audit_event(kActor, "case.read", "c1", ""));
  EXPECT_FALSE(store_->retry_request("c1-allowance", format_time(kStart), kActor));  // still queued
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  ASSERT_EQ(claimed.size(), 2u);
  Transition sent;
  sent.entries = {{"sent", format_time(kStart), "dispatch", ""}};
  sent.disclosed = {"person.birth_name", "person.phone"};
  store_->complete(claimed[0], sent);
  Transition waiting;
  waiting.retrying = true;
  store_->reschedule(claimed[1], kStart, waiting, false);  // the connector was not called
  AgencyEvent review{"allowance-95", "c1-allowance", "", "in_review", format_time(kStart + 1), format_time(kStart + 1),
                     "webhook", "dossier de Mme X"};
  EXPECT_TRUE(store_->apply_agency_event(review));
  EXPECT_FALSE(store_->apply_agency_event(review));  // nothing new
  EXPECT_TRUE(store_->withdraw_request("c1-housing", format_time(kStart), "elle est partie", "referent", kActor));
  EXPECT_FALSE(store_->withdraw_request("c1-housing", format_time(kStart), "", "referent", kActor));
  store_->record_consent("c1", {"housing", false, format_time(kStart), "ref-a", "referent"});
  EXPECT_FALSE(store_->fail_request("c1-allowance", format_time(kStart), "courriel non distribué"));  // answered
  EXPECT_TRUE(store_->set_frozen("c1", true, format_time(kStart), kActor));
  EXPECT_FALSE(store_->set_frozen("c2", true, format_time(kStart), kActor));
  EXPECT_TRUE(store_->erase_case("c1", kActor));
  EXPECT_FALSE(store_->erase_case("c1", kActor));

  EXPECT_EQ(audit_actions(), (std::vector<std::string>{"case.create", "case.read", "dispatch.deliver",
                                                       "request.state", "request.withdraw", "consent.record",
                                                       "case.freeze", "case.erase"}));
  auto entries = store_->audit_entries("c1", 0, 100);
  ASSERT_EQ(entries.size(), 8u);  // the erasure keeps them: they hold nothing of the person
  EXPECT_EQ(entries[0].actor, "referent:ref-a");
  EXPECT_EQ(entries[0].detail,
            R"({"consent":{"allowance":true},"requests":[{"instance":"allowance-95","request_id":"c1-allowance"},)"
            R"({"instance":"housing-95","request_id":"c1-housing"}]})");
  EXPECT_EQ(entries[2].actor, "hub");
  EXPECT_EQ(entries[2].request_id, "c1-allowance");
  EXPECT_EQ(entries[2].detail,
            R"({"attempt":1,"fields":["person.birth_name","person.phone"],"instance":"allowance-95","result":"sent"})");
  EXPECT_EQ(entries[3].actor, "agency:allowance-95");
  EXPECT_EQ(entries[3].detail, R"({"from":"sent","source":"webhook","to":"in_review"})");
  // Free texts (the agency's message, the référent's reason) stay out of the log.
  for (const auto& e : entries) {
    EXPECT_EQ(e.detail.find("Mme X"), std::string::npos) << e.detail;
    EXPECT_EQ(e.detail.find("partie"), std::string::npos) << e.detail;
  }
  AuditCheck check = verify_audit(*store_);
  EXPECT_FALSE(check.bad) << check.problem;
  EXPECT_EQ(check.verified, 8);
  EXPECT_EQ(check.head_hash, entries.back().hash);
}

TEST_P(StoreTest, AnAttemptToBeRetriedAndTheReviewQueueAreAudited) {
  store_->create_case(a_case("c1"), std::nullopt);
  auto claimed = claim_all(*store_, "w", kStart, 60000);
  Transition later;
  later.retrying = true;
  later.disclosed = {"person.phone"};
  store_->reschedule(claimed[0], kStart, later);
  Transition sent;
  sent.entries = {{"sent", format_time(kStart), "dispatch", ""}};
  store_->complete(claimed[1], sent);
  ASSERT_TRUE(store_->add_review_item({"m1", "<a@x>", "95", "ref-a", "housing-95", "c1-housing", "c1",
                                       format_time(kStart), "g1.sealed"}));
  ASSERT_TRUE(store_->add_review_item({"m2", "<b@x>", "95", "", "", "", "", format_time(kStart), "g1.other"}));
  AgencyEvent accepted{"housing-95", "c1-housing", "", "accepted", format_time(kStart + 5), format_time(kStart + 5),
                       "referent", ""};
  EXPECT_TRUE(store_->file_review_item("m1", accepted, kActor));
  EXPECT_FALSE(store_->file_review_item("m1", accepted, kActor));
  EXPECT_TRUE(store_->dismiss_review_item("m2", format_time(kStart + 6), kActor));
  EXPECT_FALSE(store_->dismiss_review_item("m2", format_time(kStart + 7), kActor));
  Transition failed;
  failed.entries = {{"failed", format_time(kStart), "dispatch", ""}};
  auto again = claim_all(*store_, "w", kStart, 60000);
  ASSERT_EQ(again.size(), 1u);
  store_->complete(again[0], failed);
  EXPECT_TRUE(store_->retry_request("c1-allowance", format_time(kStart + 8), kActor));
  EXPECT_EQ(audit_actions(),
            (std::vector<std::string>{"case.create", "dispatch.deliver", "dispatch.deliver", "review.add", "review.add",
                                      "review.file", "review.dismiss", "dispatch.deliver", "request.retry"}));
  auto entries = store_->audit_entries("", 0, 100);
  EXPECT_EQ(entries[1].detail, R"({"attempt":1,"fields":["person.phone"],"instance":"allowance-95","result":"retry"})");
  EXPECT_EQ(entries[5].detail, R"({"from":"sent","item":"m1","to":"accepted"})");
  EXPECT_EQ(entries[5].actor, kActor);
  EXPECT_FALSE(verify_audit(*store_).bad);
}

// Entries 1..6 in a fresh store: 2 intakes, 4 reads.
void fill_audit(Store& store, const std::function<NewCase(const std::string&)>& a_case) {
  store.create_case(a_case("c1"), std::nullopt);
  store.create_case(a_case("c2"), std::nullopt);
  for (const char* id : {"c1", "c2", "c1", "c2"}) store.record_audit(audit_event("referent:ref-a", "case.read", id, ""));
}

TEST_P(StoreTest, AChangedRowIsNamed) {
  fill_audit(*store_, [&](const std::string& id) { return a_case(id); });
  auto session = raw();
  std::string detail;
  session << "SELECT detail FROM audit WHERE seq = 3", into(detail), now;
  session << "UPDATE audit SET detail = '{\"cases\":[]}' WHERE seq = 3", now;
  AuditCheck check = verify_audit(*store_);
  ASSERT_TRUE(check.bad);
  EXPECT_EQ(*check.bad, 3);
  EXPECT_EQ(check.problem, "changed");
  EXPECT_EQ(check.verified, 2);

  // Rewritten with a hash to match, the row no longer holds the next one's prev_hash.
  auto entry = store_->audit_entries("", 2, 1).at(0);
  std::string hash = audit_hash(entry);
  session << "UPDATE audit SET hash = '" + hash + "' WHERE seq = 3", now;
  check = verify_audit(*store_);
  ASSERT_TRUE(check.bad);
  EXPECT_EQ(*check.bad, 4);
  EXPECT_EQ(check.problem, "not chained to the entry before it");

  // Put back as it was, the chain is whole again.
  session << "UPDATE audit SET detail = '" + detail + "', hash = '" + entry.hash + "' WHERE seq = 3", now;
  EXPECT_FALSE(verify_audit(*store_).bad);
}

TEST_P(StoreTest, ADeletedRowIsNamed) {
  fill_audit(*store_, [&](const std::string& id) { return a_case(id); });
  raw() << "DELETE FROM audit WHERE seq = 4", now;
  AuditCheck check = verify_audit(*store_);
  ASSERT_TRUE(check.bad);
  EXPECT_EQ(*check.bad, 4);
  EXPECT_EQ(check.problem, "missing");
}

TEST_P(StoreTest, SwappedRowsAreNamed) {
  fill_audit(*store_, [&](const std::string& id) { return a_case(id); });
  auto session = raw();
  session << "UPDATE audit SET seq = -1 WHERE seq = 4", now;
  session << "UPDATE audit SET seq = 4 WHERE seq = 5", now;
  session << "UPDATE audit SET seq = 5 WHERE seq = -1", now;
  AuditCheck check = verify_audit(*store_);
  ASSERT_TRUE(check.bad);
  EXPECT_EQ(*check.bad, 4);
  EXPECT_EQ(check.problem, "not chained to the entry before it");
}

TEST_P(StoreTest, RemovingTheNewestRowsShowsAgainstTheHeadOrAnAnchor) {
  fill_audit(*store_, [&](const std::string& id) { return a_case(id); });
  AuditHead anchor{6, verify_audit(*store_).head_hash};
  auto session = raw();
  session << "DELETE FROM audit WHERE seq >= 5", now;
  AuditCheck check = verify_audit(*store_);
  ASSERT_TRUE(check.bad);
  EXPECT_EQ(*check.bad, 5);
  EXPECT_EQ(check.problem, "missing");
  // Moving the head back too hides it from the database alone, not from the anchor kept outside.
  auto last = store_->audit_entries("", 3, 1).at(0);
  session << "UPDATE audit_head SET seq = 4, hash = '" + last.hash + "'", now;
  EXPECT_FALSE(verify_audit(*store_).bad);
  check = verify_audit(*store_, anchor);
  ASSERT_TRUE(check.bad);
  EXPECT_EQ(*check.bad, 5);
}

TEST_P(StoreTest, TwoHubsAppendToOneChain) {
  auto other = second_store();
  constexpr int kEach = 60;
  auto run = [&](Store& store, const std::string& prefix) {
    for (int i = 0; i < kEach; ++i) {
      if (i % 10 == 0) {
        store.create_case(a_case(prefix + std::to_string(i)), std::nullopt);
      } else {
        store.record_audit(audit_event("referent:ref-a", "case.read", prefix, ""));
      }
    }
  };
  std::thread a([&] { run(*store_, "a"); });
  std::thread b([&] { run(*other, "b"); });
  a.join();
  b.join();
  AuditCheck check = verify_audit(*store_);
  EXPECT_FALSE(check.bad) << *check.bad << ": " << check.problem;
  EXPECT_EQ(check.verified, 2 * kEach);
  EXPECT_EQ(store_->audit_head().seq, 2 * kEach);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace guichet::store
