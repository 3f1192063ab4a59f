#include "hub/dispatch/outcome.h"

#include <gtest/gtest.h>

namespace guichet::dispatch {
namespace {

using Json = nlohmann::json;

class OutcomeTest : public ::testing::Test {
 protected:
  Decision decide_json(const char* text) { return decide(delivery_, Json::parse(text), kNow, policy_, random_); }

  static constexpr int64_t kNow = 1795000000000;
  store::Delivery delivery_{1, "deliver", 1, "key", "", {}, "alice", "95", false, kNow};
  RetryPolicy policy_;
  std::mt19937_64 random_{3};
};

TEST_F(OutcomeTest, AcknowledgedCarriesTheReference) {
  Decision d = decide_json(R"({"result":"acknowledged","agency_reference":"AUU-95-1"})");
  EXPECT_TRUE(d.done);
  ASSERT_EQ(d.transition.entries.size(), 2u);
  EXPECT_EQ(d.transition.entries[0].state, "sent");
  EXPECT_EQ(d.transition.entries[1].state, "acknowledged");
  EXPECT_EQ(d.transition.agency_reference, "AUU-95-1");
}

TEST_F(OutcomeTest, InfoRequestedAndRefusedAreBusinessStates) {
  Decision info = decide_json(R"({"result":"info_requested","message":"justificatif manquant"})");
  EXPECT_EQ(info.transition.entries.back().state, "info_requested");
  EXPECT_EQ(info.transition.message, "justificatif manquant");
  EXPECT_EQ(decide_json(R"({"result":"refused","message":"hors critères"})").transition.entries.back().state, "refused");
}

TEST_F(OutcomeTest, TransientFailuresAreRescheduledHonouringRetryAfter) {
  Decision d = decide_json(R"({"result":"retry","message":"503","retry_after_s":30})");
  EXPECT_FALSE(d.done);
  EXPECT_GE(d.next_attempt_ms, kNow + 30000);
  EXPECT_TRUE(d.transition.retrying);
  EXPECT_TRUE(d.transition.entries.empty());
}

TEST_F(OutcomeTest, RetriesEndInFailedWhenExhausted) {
  delivery_.attempts = policy_.max_attempts;
  Decision d = decide_json(R"({"result":"retry","message":"503"})");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.transition.entries.back().state, "failed");
}

TEST_F(OutcomeTest, ConfigErrorsFailAndDegradeTheInstance) {
  Decision d = decide_json(R"({"result":"config_error","message":"invalid_scope"})");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.transition.entries.back().state, "failed");
  EXPECT_EQ(d.degrade_instance, "invalid_scope");
  EXPECT_FALSE(decide_json(R"({"result":"data_error","message":"x"})").degrade_instance);
}

TEST_F(OutcomeTest, AnUnreadableAnswerIsRetriedNotLost) {
  Decision d = decide(delivery_, Json("garbage"), kNow, policy_, random_);
  EXPECT_FALSE(d.done);
  EXPECT_TRUE(decide_failure(delivery_, "crash", true, kNow, policy_, random_).transition.retrying);
  EXPECT_EQ(decide_failure(delivery_, "bad input", false, kNow, policy_, random_).transition.entries.back().state,
            "failed");
}

TEST_F(OutcomeTest, WithdrawalsNeverChangeTheState) {
  delivery_.operation = "withdraw";
  Decision d = decide_json(R"({"result":"sent"})");
  EXPECT_TRUE(d.done);
  EXPECT_TRUE(d.transition.entries.empty());
  EXPECT_EQ(d.transition.message, "agence informée du retrait");
  EXPECT_FALSE(decide_json(R"({"result":"retry"})").done);
}

TEST_F(OutcomeTest, ATakenAnswerPutsTheRequestBackInReview) {
  delivery_.operation = "answer";
  Decision d = decide_json(R"({"result":"acknowledged","agency_reference":"AUU-95-1"})");
  EXPECT_TRUE(d.done);
  ASSERT_EQ(d.transition.entries.size(), 1u);
  EXPECT_EQ(d.transition.entries[0].state, "in_review");
  EXPECT_EQ(d.transition.message, "");
  EXPECT_EQ(decide_json(R"({"result":"sent"})").transition.entries.back().state, "in_review");
  EXPECT_FALSE(decide_json(R"({"result":"retry"})").done);
}

// A request that failed would offer a retry, which sends the request again, not the answer: the
// question stays open instead, for the référent to answer again.
TEST_F(OutcomeTest, AnAnswerNotTakenLeavesTheQuestionOpen) {
  delivery_.operation = "answer";
  Decision refused = decide_json(R"({"result":"data_error","message":"CAF answered HTTP 409"})");
  EXPECT_EQ(refused.transition.entries.back().state, "info_requested");
  EXPECT_EQ(refused.transition.message, "réponse non transmise : CAF answered HTTP 409");
  Decision config = decide_json(R"({"result":"config_error","message":"invalid_scope"})");
  EXPECT_EQ(config.transition.entries.back().state, "info_requested");
  EXPECT_EQ(config.degrade_instance, "invalid_scope");
  delivery_.attempts = policy_.max_attempts;
  EXPECT_EQ(decide_json(R"({"result":"retry","message":"503"})").transition.entries.back().state, "info_requested");
  EXPECT_EQ(decide_failure(delivery_, "bad input", false, kNow, policy_, random_).transition.entries.back().state,
            "info_requested");
}

}  // namespace
}  // namespace guichet::dispatch
