#include "hub/dispatch/retry_policy.h"

#include <gtest/gtest.h>

#include <array>

namespace guichet::dispatch {
namespace {

TEST(RetryPolicy, FullJitterStaysUnderTheExponentialCeilingAndTheCap) {
  RetryPolicy policy;
  policy.initial_ms = 100;
  policy.cap_ms = 5000;
  std::mt19937_64 random(42);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    int64_t ceiling = std::min<int64_t>(5000, 100LL << (attempt - 1));
    for (int i = 0; i < 200; ++i) {
      int64_t delay = policy.delay_ms(attempt, 0, random);
      EXPECT_GE(delay, 0);
      EXPECT_LE(delay, ceiling);
    }
  }
}

TEST(RetryPolicy, SpreadsRetriesInsteadOfSynchronisingThem) {
  RetryPolicy policy;
  policy.initial_ms = 100;
  policy.cap_ms = 5000;
  std::mt19937_64 random(7);
  std::array<int, 10> buckets{};
  for (int i = 0; i < 1000; ++i) ++buckets[policy.delay_ms(6, 0, random) * 10 / 3201];
  for (int count : buckets) EXPECT_LT(count, 150);  // no bucket holds much more than its 10 %
}

TEST(RetryPolicy, HonoursRetryAfter) {
  RetryPolicy policy;
  std::mt19937_64 random(1);
  EXPECT_GE(policy.delay_ms(1, 30000, random), 30000);
}

TEST(RetryPolicy, GivesUpOnAttemptsOrTime) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.give_up_after_ms = 1000;
  EXPECT_FALSE(policy.exhausted(2, 0, 999));
  EXPECT_TRUE(policy.exhausted(3, 0, 10));
  EXPECT_TRUE(policy.exhausted(1, 0, 1000));
}

TEST(RetryPolicy, ReadsItsConfiguration) {
  auto policy = RetryPolicy::from_json(nlohmann::json::parse(R"({"initial_ms":50,"max_attempts":0,"give_up_after_s":60})"), RetryPolicy{});
  EXPECT_EQ(policy.initial_ms, 50);
  EXPECT_EQ(policy.max_attempts, 0);
  EXPECT_EQ(policy.give_up_after_ms, 60000);
  EXPECT_THROW(RetryPolicy::from_json(nlohmann::json{{"multiplier", 0.5}}, RetryPolicy{}), std::invalid_argument);
  EXPECT_THROW(RetryPolicy::from_json(nlohmann::json{{"cap_ms", "x"}}, RetryPolicy{}), std::invalid_argument);
}

}  // namespace
}  // namespace guichet::dispatch
