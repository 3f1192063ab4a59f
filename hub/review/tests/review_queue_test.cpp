#include "hub/review/review_queue.h"


#include "hub/store/sqlite/sqlite_store.h"
#include "hub/store/tests/claim_all.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace guichet::review {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

class ReviewQueueTest : public ::testing::Test {
 protected:
  ReviewQueueTest() {
    store::NewCase c;
    c.id = "c1";
    c.owner = "ref-a";
    c.department = "95";
    c.at = format_time(kNow);
    c.person = vault_.seal_new("c1", {R"({"birth_name":"X"})", "{}"});
    c.requests.push_back({"r1", "housing", R"({"kind":"housing"})", "siao-95", "SIAO", "", "GCH-7Q2XAB0", "key-r1"});
    store_.create_case(c, std::nullopt);
    auto claimed = store::claim_all(store_, "w", kNow, 60000);
    store::Transition sent;
    sent.entries = {{"sent", format_time(kNow), "dispatch", ""}};
    store_.complete(claimed.at(0), sent);
  }
  ~ReviewQueueTest() override { fs::remove_all(dir_); }

  IncomingMail about_r1(const std::string& mail_id) {
    IncomingMail mail;
    mail.mail_id = mail_id;
    mail.request = store_.find_request("r1");
    mail.from = "siao95@siao.example.org";
    mail.subject = "Re: [GCH-7Q2XAB0] Demande";
    mail.text = "Nous vous rappelons demain.";
    mail.summary = "réponse non reconnue";
    return mail;
  }
  IncomingMail loose(const std::string& mail_id, const std::string& department = "95") {
    IncomingMail mail;
    mail.mail_id = mail_id;
    mail.department = department;
    mail.from = "inconnu@example.org";
    mail.subject = "Bonjour";
    mail.text = "Une question sans référence.";
    return mail;
  }

  static constexpr int64_t kNow = 1795000000000;
  fs::path dir_ = fs::temp_directory_path() / ("guichet-review-" + std::to_string(std::random_device{}()));
  bool created_ = fs::create_directories(dir_);
  store::SqliteStore store_{dir_ / "guichet.db"};
  privacy::KeyStore keys_{dir_};
  privacy::Vault vault_{keys_};
  ReviewQueue queue_{store_, vault_, [] { return kNow + 1000; }};
  cases::Principal owner_{"ref-a", "95"};
  cases::Principal colleague_{"ref-b", "95"};
  cases::Principal elsewhere_{"ref-c", "93"};
};

TEST_F(ReviewQueueTest, ShowsAMailAboutACaseToItsOwnerOnlyAndALooseOneToTheDepartment) {
  ASSERT_TRUE(queue_.add(about_r1("<m1@x>")));
  ASSERT_TRUE(queue_.add(loose("<m2@x>")));
  EXPECT_FALSE(queue_.add(about_r1("<m1@x>")));  // the same mail, read twice

  Json mine = queue_.list(owner_)["items"];
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0]["request_id"], "r1");
  EXPECT_EQ(mine[0]["case_id"], "c1");
  EXPECT_EQ(mine[0]["instance"], "siao-95");
  EXPECT_EQ(mine[0]["text"], "Nous vous rappelons demain.");
  EXPECT_EQ(mine[0]["summary"], "réponse non reconnue");
  EXPECT_TRUE(mine[1]["request_id"].is_null());

  Json theirs = queue_.list(colleague_)["items"];
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0]["subject"], "Bonjour");
  EXPECT_TRUE(queue_.list(elsewhere_)["items"].empty());
}

TEST_F(ReviewQueueTest, AColleagueTheCaseIsSharedWithSeesAndFilesItsMails) {
  ASSERT_TRUE(queue_.add(about_r1("<m1@x>")));
  ASSERT_TRUE(store_.add_delegate("c1", "ref-b", format_time(kNow), "referent:ref-a"));
  Json theirs = queue_.list(colleague_)["items"];
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0]["request_id"], "r1");
  Json filed = queue_.file(colleague_, theirs[0]["id"], {{"state", "acknowledged"}});
  EXPECT_EQ(filed["request_id"], "r1");
  EXPECT_EQ(store_.find_case("c1")->requests[0].state, "acknowledged");

  // Shared with someone of another department: still not theirs.
  ASSERT_TRUE(queue_.add(about_r1("<m3@x>")));
  ASSERT_TRUE(store_.add_delegate("c1", "ref-c", format_time(kNow), "referent:ref-a"));
  EXPECT_TRUE(queue_.list(elsewhere_)["items"].empty());
}

TEST_F(ReviewQueueTest, TheTextIsStoredSealed) {
  ASSERT_TRUE(queue_.add(about_r1("<m1@x>")));
  ASSERT_TRUE(queue_.add(loose("<m2@x>")));
  for (const auto& item : store_.review_items("95")) {
    EXPECT_EQ(item.sealed.rfind("g1.", 0), 0u);
    EXPECT_EQ(item.sealed.find("rappelons"), std::string::npos);
    EXPECT_EQ(item.sealed.find("inconnu"), std::string::npos);
  }
}

TEST_F(ReviewQueueTest, FilingMovesTheRequestAsTheReferentAndClosesTheItem) {
  ASSERT_TRUE(queue_.add(about_r1("<m1@x>")));
  std::string id = queue_.list(owner_)["items"][0]["id"];
  Json filed = queue_.file(owner_, id, {{"state", "acknowledged"}, {"message", "rappel prévu"}});
  EXPECT_EQ(filed["request_id"], "r1");
  EXPECT_EQ(filed["state"], "acknowledged");
  auto request = store_.find_case("c1")->requests.at(0);
  EXPECT_EQ(request.state, "acknowledged");
  EXPECT_EQ(request.message, "rappel prévu");
  EXPECT_EQ(request.history.back().source, "referent");
  EXPECT_TRUE(queue_.list(owner_)["items"].empty());
  try {
    queue_.file(owner_, id, {{"state", "accepted"}});
    FAIL() << "a filed item was filed again";
  } catch (const cases::ApiError& e) {
    EXPECT_EQ(e.status(), 404);
  }
}

TEST_F(ReviewQueueTest, ALooseMailIsFiledOnARequestOfHerOwnCasesOnly) {
  ASSERT_TRUE(queue_.add(loose("<m2@x>")));
  std::string id = queue_.list(colleague_)["items"][0]["id"];
  auto status_of = [&](const cases::Principal& who, const Json& body) {
    try {
      queue_.file(who, id, body);
      return 200;
    } catch (const cases::ApiError& e) {
      return e.status();
    }
  };
  EXPECT_EQ(status_of(colleague_, {{"state", "accepted"}}), 400);                      // which request?
  EXPECT_EQ(status_of(colleague_, {{"request_id", "r1"}, {"state", "accepted"}}), 404);  // not her case
  EXPECT_EQ(status_of(elsewhere_, {{"request_id", "r1"}, {"state", "accepted"}}), 404);  // not her department
  EXPECT_EQ(status_of(owner_, {{"request_id", "r1"}, {"state", "failed"}}), 400);        // the hub's state
  EXPECT_EQ(status_of(owner_, {{"request_id", "r1"}, {"state", "queued"}}), 400);
  EXPECT_EQ(status_of(owner_, {{"request_id", "r1"}, {"state", "accepted"}, {"message", std::string(501, 'x')}}), 400);
  EXPECT_EQ(status_of(owner_, {{"request_id", "r1"}, {"state", "accepted"}}), 200);
  EXPECT_EQ(store_.find_case("c1")->requests.at(0).state, "accepted");
}

TEST_F(ReviewQueueTest, AStateTheRequestIsPastIsAConflictAndTheItemStays) {
  store::AgencyEvent accepted{"siao-95", "r1", "", "accepted", format_time(kNow), format_time(kNow), "email", ""};
  ASSERT_TRUE(store_.apply_agency_event(accepted));
  ASSERT_TRUE(queue_.add(about_r1("<m1@x>")));
  std::string id = queue_.list(owner_)["items"][0]["id"];
  try {
    queue_.file(owner_, id, {{"state", "acknowledged"}});
    FAIL() << "a settled request moved";
  } catch (const cases::ApiError& e) {
    EXPECT_EQ(e.status(), 409);
    EXPECT_EQ(e.field(), "state");
  }
  EXPECT_EQ(queue_.list(owner_)["items"].size(), 1u);
}

TEST_F(ReviewQueueTest, DismissingForgetsALooseMailsKey) {
  ASSERT_TRUE(queue_.add(loose("<m2@x>")));
  store::ReviewItem item = store_.review_items("95").at(0);
  EXPECT_THROW(queue_.dismiss(elsewhere_, item.id), cases::ApiError);
  queue_.dismiss(colleague_, item.id);
  EXPECT_TRUE(queue_.list(colleague_)["items"].empty());
  // Even a copy of the sealed text (a backup) can no longer be opened.
  EXPECT_FALSE(vault_.open_text("review/" + item.id, item.sealed, item.id + "/review"));
}

TEST_F(ReviewQueueTest, ErasingTheCaseErasesItsMails) {
  ASSERT_TRUE(queue_.add(about_r1("<m1@x>")));
  IncomingMail late = about_r1("<m3@x>");
  vault_.erase("c1");
  ASSERT_TRUE(store_.erase_case("c1", "referent:ref-a"));
  EXPECT_TRUE(queue_.list(owner_)["items"].empty());
  // A mail matched just before the erasure, stored after it, keeps nothing of the case.
  EXPECT_FALSE(queue_.add(late));
  EXPECT_TRUE(store_.review_items("95").empty());
}

}  // namespace
}  // namespace guichet::review
