#include <guichet/connectors/dates.hpp>

#include <charconv>
#include <cstdio>

namespace guichet::connectors {

namespace {

bool read_number(std::string_view text, int& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<std::chrono::year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int year = 0, month = 0, day = 0;
  if (!read_number(text.substr(0, 4), year) || !read_number(text.substr(5, 2), month) ||
      !read_number(text.substr(8, 2), day)) {
    return std::nullopt;
  }
  std::chrono::year_month_day date{std::chrono::year(year),
                                   std::chrono::month(static_cast<unsigned>(month)),
                                   std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_rfc3339(std::chrono::system_clock::time_point instant) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(instant);
  auto day = std::chrono::floor<std::chrono::days>(seconds);
  std::chrono::year_month_day date{day};
  std::chrono::hh_mm_ss time{seconds - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

std::string format_french_date(std::string_view iso_date) {
  auto date = parse_date(iso_date);
  if (!date) return std::string(iso_date);
  char text[16];
  std::snprintf(text, sizeof text, "%02u/%02u/%04d", static_cast<unsigned>(date->day()),
                static_cast<unsigned>(date->month()), static_cast<int>(date->year()));
  return text;
}

bool within_months(std::chrono::year_month_day date, std::chrono::year_month_day today, int months) {
  std::chrono::sys_days day{date};
  if (day > std::chrono::sys_days{today}) return false;
  std::chrono::year_month_day limit = date + std::chrono::months(months);
  // 29 February plus a year falls on 1 March, never on a day that does not exist.
  if (!limit.ok()) limit = std::chrono::year_month_day{std::chrono::sys_days{limit}};
  return std::chrono::sys_days{today} < std::chrono::sys_days{limit};
}

std::chrono::year_month_day utc_day(std::chrono::system_clock::time_point instant) {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(instant)};
}

}  // namespace guichet::connectors
