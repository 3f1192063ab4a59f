#include "hub/http/rate_limiter.h"

#include <gtest/gtest.h>

namespace guichet::http {
namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  RateLimiter limiter(int per_minute, int burst) { return RateLimiter({per_minute, burst}, [this] { return now_; }); }
  int64_t now_ = 1000000;
};

TEST_F(RateLimiterTest, ABurstGoesThroughThenTheRateHolds) {
  RateLimiter l = limiter(60, 3);  // one a second
  for (int i = 0; i < 3; ++i) EXPECT_EQ(l.take("alice"), 0) << i;
  EXPECT_EQ(l.take("alice"), 1);
  now_ += 999;
  EXPECT_EQ(l.take("alice"), 1);
  now_ += 1;
  EXPECT_EQ(l.take("alice"), 0);
  EXPECT_EQ(l.take("alice"), 1);
}

TEST_F(RateLimiterTest, RetryAfterIsTheWholeSecondsUntilTheNextRequest) {
  RateLimiter l = limiter(6, 1);  // one every ten seconds
  EXPECT_EQ(l.take("alice"), 0);
  EXPECT_EQ(l.take("alice"), 10);
  now_ += 2500;
  EXPECT_EQ(l.take("alice"), 8);  // 7.5 s, rounded up
  now_ += 7400;
  EXPECT_EQ(l.take("alice"), 1);  // 0.1 s still counts as one
  now_ += 100;
  EXPECT_EQ(l.take("alice"), 0);
}

TEST_F(RateLimiterTest, RefusedRequestsAreNotCounted) {
  RateLimiter l = limiter(60, 1);
  EXPECT_EQ(l.take("alice"), 0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(l.take("alice"), 1);
  now_ += 1000;
  EXPECT_EQ(l.take("alice"), 0);
}

TEST_F(RateLimiterTest, ReferentsHaveTheirOwnBuckets) {
  RateLimiter l = limiter(60, 2);
  EXPECT_EQ(l.take("alice"), 0);
  EXPECT_EQ(l.take("alice"), 0);
  EXPECT_GT(l.take("alice"), 0);
  EXPECT_EQ(l.take("bob"), 0);
  EXPECT_EQ(l.take("bob"), 0);
  EXPECT_GT(l.take("bob"), 0);
}

TEST_F(RateLimiterTest, IdleReferentsAreForgotten) {
  RateLimiter l = limiter(60, 5);  // full again 5 s after emptying
  for (int i = 0; i < 100; ++i) EXPECT_EQ(l.take("referent-" + std::to_string(i)), 0);
  for (int i = 0; i < 5; ++i) l.take("busy");
  now_ += 1000;
  EXPECT_EQ(l.take("busy"), 0);
  EXPECT_EQ(l.tracked(), 101u);
  now_ += 4000;
  EXPECT_EQ(l.take("busy"), 0);
  EXPECT_EQ(l.tracked(), 1u) << "the others are full again, as if they had never called";
  EXPECT_EQ(l.take("busy"), 0);
  EXPECT_EQ(l.take("busy"), 0);
  EXPECT_EQ(l.take("busy"), 0);
  EXPECT_GT(l.take("busy"), 0) << "busy's bucket was kept, not reset";
  now_ += 6000;
  EXPECT_EQ(l.take("carol"), 0);
  EXPECT_EQ(l.tracked(), 1u);
}

TEST_F(RateLimiterTest, ZeroPerMinuteMeansNoLimit) {
  RateLimiter l = limiter(0, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(l.take("alice"), 0);
  EXPECT_EQ(l.tracked(), 0u);
}

}  // namespace
}  // namespace guichet::http
