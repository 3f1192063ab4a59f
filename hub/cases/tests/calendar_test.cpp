#include "hub/cases/calendar.h"

#include "hub/domain/time.h"

#include <gtest/gtest.h>

namespace guichet::cases {
namespace {

int64_t day(const char* date) { return *parse_date(date); }
int64_t at(const char* time) { return *parse_time(time); }

TEST(Calendar, KnowsTheMovingHolidays) {
  EXPECT_TRUE(is_public_holiday(day("2026-04-06"), "95"));   // Easter Monday 2026
  EXPECT_TRUE(is_public_holiday(day("2026-05-14"), "95"));   // Ascension
  EXPECT_TRUE(is_public_holiday(day("2026-05-25"), "95"));   // Whit Monday
  EXPECT_TRUE(is_public_holiday(day("2025-04-21"), "95"));   // Easter Monday 2025
  EXPECT_TRUE(is_public_holiday(day("2026-07-14"), "95"));
  EXPECT_FALSE(is_public_holiday(day("2026-04-03"), "95"));  // Good Friday: not in Val-d'Oise
  EXPECT_TRUE(is_public_holiday(day("2026-04-03"), "67"));   // but in Alsace-Moselle
  EXPECT_TRUE(is_public_holiday(day("2026-12-26"), "57"));
  EXPECT_FALSE(is_public_holiday(day("2026-12-26"), "95"));
}

TEST(Calendar, SkipsWeekendsAndHolidays) {
  EXPECT_FALSE(is_working_day(day("2026-11-21"), "95"));  // Saturday
  EXPECT_TRUE(is_working_day(day("2026-11-23"), "95"));   // Monday
  EXPECT_FALSE(is_working_day(day("2026-11-11"), "95"));  // Armistice
}

TEST(Calendar, ThreeWorkingDaysFromTheFridayBeforeEaster) {
  // Friday 3 April 2026, 10:00 Paris: Mon 6 is Easter Monday, so Tue 7, Wed 8, Thu 9.
  EXPECT_EQ(format_time(add_working_days(at("2026-04-03T09:00:00Z"), 3, "95")), "2026-04-09T09:00:00.000Z");
  // In Alsace-Moselle Good Friday is off too: counting starts at the start of Tuesday 7.
  EXPECT_EQ(format_time(add_working_days(at("2026-04-03T09:00:00Z"), 3, "67")), "2026-04-09T23:00:00.000Z");
}

TEST(Calendar, AWeekendRequestStartsOnMonday) {
  EXPECT_EQ(format_time(add_working_days(at("2026-11-21T14:00:00Z"), 3, "95")), "2026-11-25T23:00:00.000Z");
}

}  // namespace
}  // namespace guichet::cases
