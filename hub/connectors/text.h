// Checks and cleaning of text that comes from a plugin and ends up in a header or a log line.
#ifndef GUICHET_HUB_CONNECTORS_TEXT_H
#define GUICHET_HUB_CONNECTORS_TEXT_H

#include <cstddef>
#include <string>
#include <string_view>

namespace guichet::connectors {

// True when `text` is valid UTF-8 without any control character: C0 (CR, LF, NUL, TAB...), DEL,
// C1 (U+0080..U+009F, NEL included) and the Unicode line and paragraph separators U+2028/U+2029.
// Such characters are how a header or a log line gets split into two.
bool is_single_line(std::string_view text);

// True when every byte is printable ASCII (0x20..0x7E).
bool is_printable_ascii(std::string_view text);

// Number of code points in valid UTF-8 `text` (JSON Schema lengths count characters, not bytes).
std::size_t count_code_points(std::string_view text);

// `text` made safe for one log line: each control character (as above) and each invalid UTF-8
// byte becomes a space, and the result is cut at `max_bytes` on a character boundary.
std::string one_log_line(std::string_view text, std::size_t max_bytes);

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_TEXT_H
