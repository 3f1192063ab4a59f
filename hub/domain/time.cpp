#include "hub/domain/time.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timestamp.h>

#include <chrono>
#include <regex>

namespace guichet {

int64_t system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_time(int64_t epoch_ms) {
  Poco::Timestamp stamp(static_cast<Poco::Timestamp::TimeVal>(epoch_ms) * 1000);
  return Poco::DateTimeFormatter::format(stamp, "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::optional<int64_t> parse_time(std::string_view rfc3339) {
  // Poco's ISO 8601 parser is lenient about trailing garbage; the pattern keeps input strict.
  static const std::regex kShape(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))");
  std::string text(rfc3339);
  if (!std::regex_match(text, kShape)) return std::nullopt;
  Poco::DateTime parsed;
  int zone = 0;
  const std::string& format = text.find('.') != std::string::npos ? Poco::DateTimeFormat::ISO8601_FRAC_FORMAT
                                                           : Poco::DateTimeFormat::ISO8601_FORMAT;
  if (!Poco::DateTimeParser::tryParse(format, text, parsed, zone)) return std::nullopt;
  parsed.makeUTC(zone);
  return parsed.timestamp().epochMicroseconds() / 1000;
}

std::optional<int64_t> parse_date(std::string_view date) {
  static const std::regex kShape(R"((\d{4})-(\d{2})-(\d{2}))");
  std::string text(date);
  std::smatch match;
  if (!std::regex_match(text, match, kShape)) return std::nullopt;
  int year = std::stoi(match[1]), month = std::stoi(match[2]), day = std::stoi(match[3]);
  if (year < 1900 || !Poco::DateTime::isValid(year, month, day)) return std::nullopt;
  Poco::DateTime midnight(year, month, day);
  return midnight.timestamp().epochMicroseconds() / 1000 / 86400000;
}

}  // namespace guichet
