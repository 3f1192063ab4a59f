#include "common/options.hpp"
#include "common/state_clock.hpp"
#include "common/time_format.hpp"
#include "common/token_issuer.hpp"
#include "common/webhook_sender.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace guichet::sim {
namespace {

using namespace std::chrono_literals;

TEST(SignSha256, MatchesRfc4231TestCase2) {
  EXPECT_EQ(sign_sha256("what do ya want for nothing?", "Jefe"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SignSha256, HashesKeysLongerThanABlock) {
  // RFC 4231 test case 6: a 131-byte key.
  EXPECT_EQ(sign_sha256("Test Using Larger Than Block-Size Key - Hash Key First", std::string(131, '\xaa')),
            "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(TimeFormat, RoundTripsAtMillisecondPrecision) {
  const TimePoint instant = now_ms();
  EXPECT_EQ(parse_rfc3339(format_rfc3339(instant)), instant);
  EXPECT_EQ(parse_rfc3339("2026-11-20T10:00:00+01:00"), parse_rfc3339("2026-11-20T09:00:00Z"));
  EXPECT_EQ(parse_rfc3339("2026-11-20T09:00:00.5Z"), parse_rfc3339("2026-11-20T09:00:00.500Z"));
  EXPECT_FALSE(parse_rfc3339("hier"));
  EXPECT_FALSE(parse_rfc3339(""));
}

TEST(StateClock, StepsAndStopsAtWithdrawal) {
  const StateClock clock(100ms);
  const TimePoint t0 = now_ms();
  Track track{{{"a", ""}, {"b", ""}, {"c", "why"}}, t0, std::nullopt, std::nullopt, {}};
  EXPECT_EQ(clock.current(track, t0 + 99ms).state.status, "a");
  EXPECT_EQ(clock.current(track, t0 + 100ms).state.status, "b");
  EXPECT_EQ(clock.current(track, t0 + 100ms).at, t0 + 100ms);
  EXPECT_EQ(clock.current(track, t0 + 1h).state.motif, "why");

  track.withdrawal = Transition{{"w", ""}, t0 + 150ms};
  const auto history = clock.history(track, t0 + 1h);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].state.status, "b");
  EXPECT_EQ(history[2].state.status, "w");
  EXPECT_EQ(history[2].at, t0 + 150ms);
}

TEST(Options, ReadsBothSpellingsAndRejectsUnknownFlags) {
  const Options options({"--port", "1234", "--error_rate=0.5", "--step-ms", "20"},
                        {"port", "error-rate", "step-ms"});
  EXPECT_EQ(options.integer("port", 0), 1234);
  EXPECT_DOUBLE_EQ(options.number("error-rate", 0), 0.5);
  EXPECT_EQ(options.integer("step-ms", 3000), 20);
  EXPECT_EQ(options.text("scope", "fallback"), "fallback");

  EXPECT_THROW(Options({"--prot", "1"}, {"port"}), std::invalid_argument);
  EXPECT_THROW(Options({"--port"}, {"port"}), std::invalid_argument);
  EXPECT_THROW(Options({"--port", "12ab"}, {"port"}).integer("port", 0), std::invalid_argument);
}

TEST(ParseForm, DecodesPlusAndPercent) {
  const auto form = parse_form("scope=a+b%20c&realm=%2Fpartenaire&empty=");
  EXPECT_EQ(form.at("scope"), "a b c");
  EXPECT_EQ(form.at("realm"), "/partenaire");
  EXPECT_EQ(form.at("empty"), "");
}

}  // namespace
}  // namespace guichet::sim
