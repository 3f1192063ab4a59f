#include "hub/cases/calendar.h"

#include <Poco/DateTime.h>

namespace guichet::cases {
namespace {

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kFrenchOffsetMs = 3600000;

int64_t day_of(int year, int month, int day) {
  return Poco::DateTime(year, month, day).timestamp().epochMicroseconds() / 1000 / kDayMs;
}

// Easter Sunday, Gregorian calendar (the anonymous algorithm, a.k.a. Meeus/Jones/Butcher).
int64_t easter(int year) {
  int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return day_of(year, month, day);
}

bool alsace_moselle(const std::string& department) {
  return department == "57" || department == "67" || department == "68";
}

}  // namespace

bool is_public_holiday(int64_t day, const std::string& department) {
  Poco::DateTime date(Poco::Timestamp(day * kDayMs * 1000));
  int year = date.year();
  for (auto [month, dom] : {std::pair{1, 1}, {5, 1}, {5, 8}, {7, 14}, {8, 15}, {11, 1}, {11, 11}, {12, 25}}) {
    if (day == day_of(year, month, dom)) return true;
  }
  int64_t sunday = easter(year);
  if (day == sunday + 1 || day == sunday + 39 || day == sunday + 50) return true;  // Easter Monday, Ascension, Whit Monday
  if (alsace_moselle(department) && (day == sunday - 2 || day == day_of(year, 12, 26))) return true;
  return false;
}

bool is_working_day(int64_t day, const std::string& department) {
  int weekday = static_cast<int>((day + 4) % 7);  // 1970-01-01 was a Thursday; 0 = Sunday
  if (weekday == 0 || weekday == 6) return false;
  return !is_public_holiday(day, department);
}

int64_t add_working_days(int64_t from_ms, int working_days, const std::string& department) {
  int64_t local = from_ms + kFrenchOffsetMs;
  int64_t day = local / kDayMs;
  int64_t time_of_day = local % kDayMs;
  while (!is_working_day(day, department)) {
    ++day;
    time_of_day = 0;
  }
  for (int counted = 0; counted < working_days;) {
    ++day;
    if (is_working_day(day, department)) ++counted;
  }
  return day * kDayMs + time_of_day - kFrenchOffsetMs;
}

}  // namespace guichet::cases
