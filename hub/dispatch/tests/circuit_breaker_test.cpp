#include "hub/dispatch/circuit_breaker.h"

#include <gtest/gtest.h>

namespace guichet::dispatch {
namespace {

BreakerOptions options() {
  BreakerOptions o;
  o.consecutive_failures = 3;
  o.min_calls = 4;
  o.failure_ratio = 0.5;
  o.window_ms = 10000;
  o.open_ms = 1000;
  return o;
}

TEST(CircuitBreaker, OpensAfterFailuresInARowAndRefusesUntilTheInterval) {
  CircuitBreaker breaker(options());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(breaker.allow(100));
    breaker.record(100, true);
  }
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::open);
  EXPECT_FALSE(breaker.allow(500));
  EXPECT_EQ(breaker.retry_at_ms(500), 1100);
}

TEST(CircuitBreaker, HalfOpenLetsOneProbeThroughAndItsOutcomeDecides) {
  CircuitBreaker breaker(options());
  for (int i = 0; i < 3; ++i) breaker.record(0, true);
  EXPECT_TRUE(breaker.allow(1000));   // the probe
  EXPECT_FALSE(breaker.allow(1000));  // one at a time
  breaker.record(1000, true);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::open);
  EXPECT_TRUE(breaker.allow(2000));
  breaker.record(2000, false);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::closed);
  EXPECT_TRUE(breaker.allow(2001));
}

TEST(CircuitBreaker, OpensOnAFailureRatioOverTheWindowOnlyWithEnoughCalls) {
  CircuitBreaker breaker(options());
  breaker.record(0, true);
  breaker.record(1, false);
  breaker.record(2, true);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::closed);  // 3 calls: too few to judge
  breaker.record(3, false);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::open);  // 2 failures of 4
}

TEST(CircuitBreaker, ForgetsCallsOlderThanTheWindow) {
  CircuitBreaker breaker(options());
  breaker.record(0, true);
  breaker.record(1, true);
  breaker.record(20000, false);
  breaker.record(20001, false);
  breaker.record(20002, true);
  breaker.record(20003, false);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::closed);  // 1 failure of the 4 in the window
}

}  // namespace
}  // namespace guichet::dispatch
