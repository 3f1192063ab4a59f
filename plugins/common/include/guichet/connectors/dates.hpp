// Calendar dates (YYYY-MM-DD) and instants (RFC 3339, UTC) as agencies and the hub write them.
#ifndef GUICHET_CONNECTORS_DATES_HPP
#define GUICHET_CONNECTORS_DATES_HPP

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace guichet::connectors {

// Parses a YYYY-MM-DD date; nothing when the text is not a valid calendar date.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);

// "2026-11-18T11:06:40Z".
std::string format_rfc3339(std::chrono::system_clock::time_point instant);

// "01/05/2022", as French readers expect a date.
std::string format_french_date(std::string_view iso_date);

// Whether `date` is on or before `today` and less than `months` calendar months before it.
bool within_months(std::chrono::year_month_day date, std::chrono::year_month_day today, int months);

std::chrono::year_month_day utc_day(std::chrono::system_clock::time_point instant);

}  // namespace guichet::connectors

#endif
