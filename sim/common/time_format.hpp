// Instants as the agencies exchange them: RFC 3339 in UTC with milliseconds. The simulators keep
// every instant at millisecond precision so that a date they printed, read back as a cursor,
// compares equal to the instant it came from.
#ifndef GUICHET_SIM_COMMON_TIME_FORMAT_HPP
#define GUICHET_SIM_COMMON_TIME_FORMAT_HPP

#include <chrono>
#include <optional>
#include <string>

namespace guichet::sim {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

TimePoint now_ms();

// "2026-11-20T09:30:00.125Z"
std::string format_rfc3339(TimePoint instant);

// Accepts any RFC 3339 date-time ("Z" or a numeric offset, with or without fraction); the
// fraction is truncated to milliseconds. Empty when the text is not one.
std::optional<TimePoint> parse_rfc3339(const std::string& text);

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_TIME_FORMAT_HPP
