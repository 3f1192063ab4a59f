// Time as the API shows it: RFC 3339 UTC with milliseconds, so history entries sort as text.
#ifndef GUICHET_HUB_DOMAIN_TIME_H
#define GUICHET_HUB_DOMAIN_TIME_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace guichet {

// Milliseconds since the Unix epoch. Injected wherever time matters, so tests can move it.
using Clock = std::function<int64_t()>;
int64_t system_now_ms();

std::string format_time(int64_t epoch_ms);                          // 2026-11-23T04:00:20.123Z
std::optional<int64_t> parse_time(std::string_view rfc3339);        // any RFC 3339 offset
// A calendar date "YYYY-MM-DD" that exists (no 2026-02-30); returns days since the epoch.
std::optional<int64_t> parse_date(std::string_view date);

}  // namespace guichet

#endif
