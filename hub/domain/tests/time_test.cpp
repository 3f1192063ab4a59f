#include "hub/domain/time.h"

#include <gtest/gtest.h>

namespace guichet {

TEST(Time, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(1795000000123), "2026-11-18T11:06:40.123Z");
}

TEST(Time, ParsesRfc3339WithOffsets) {
  EXPECT_EQ(parse_time("2026-11-18T11:06:40.123Z"), 1795000000123);
  EXPECT_EQ(parse_time("2026-11-18T12:06:40+01:00"), 1795000000000);
  EXPECT_FALSE(parse_time("2026-11-18").has_value());
  EXPECT_FALSE(parse_time("2026-11-18T08:26:40Zjunk").has_value());
  EXPECT_FALSE(parse_time("yesterday").has_value());
}

TEST(Time, DatesMustExist) {
  EXPECT_EQ(parse_date("1970-01-02"), 1);
  EXPECT_TRUE(parse_date("2024-02-29").has_value());
  EXPECT_FALSE(parse_date("2023-02-29").has_value());
  EXPECT_FALSE(parse_date("2026-13-01").has_value());
  EXPECT_FALSE(parse_date("12/04/1990").has_value());
  EXPECT_FALSE(parse_date("1990-4-12").has_value());
}

}  // namespace guichet
