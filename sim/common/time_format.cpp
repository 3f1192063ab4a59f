#include "common/time_format.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timestamp.h>

#include <regex>

namespace guichet::sim {

TimePoint now_ms() { return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now()); }

std::string format_rfc3339(TimePoint instant) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(instant.time_since_epoch());
  return Poco::DateTimeFormatter::format(Poco::Timestamp(micros.count()), "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::optional<TimePoint> parse_rfc3339(const std::string& text) {
  // Poco's parser skips what it does not understand, so the shape is checked first.
  static const std::regex shape(
      R"(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))");
  if (!std::regex_match(text, shape)) return std::nullopt;
  Poco::DateTime parsed;
  int zone_offset_s = 0;
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, parsed,
                                      zone_offset_s)) {
    return std::nullopt;
  }
  parsed.makeUTC(zone_offset_s);
  const auto micros = std::chrono::microseconds(parsed.timestamp().epochMicroseconds());
  return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::time_point(micros));
}

}  // namespace guichet::sim
