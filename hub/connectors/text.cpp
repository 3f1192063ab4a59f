#include "hub/connectors/text.h"

#include <cstdint>

namespace guichet::connectors {
namespace {

// Decodes the UTF-8 character starting at text[i]. Returns its length in bytes, or 0 when the bytes
// there are not valid UTF-8 (overlong forms, surrogates and values above U+10FFFF included).
std::size_t decode(std::string_view text, std::size_t i, char32_t& code) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t length;
  char32_t minimum;
  if (lead < 0x80) {
    code = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, code = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

bool is_control(char32_t code) {
  return code < 0x20 || code == 0x7F || (code >= 0x80 && code <= 0x9F) || code == 0x2028 ||
         code == 0x2029;
}

}  // namespace

bool is_single_line(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t code;
    std::size_t length = decode(text, i, code);
    if (length == 0 || is_control(code)) return false;
    i += length;
  }
  return true;
}

bool is_printable_ascii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::size_t count_code_points(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string one_log_line(std::string_view text, std::size_t max_bytes) {
  std::string line;
  for (std::size_t i = 0; i < text.size();) {
    char32_t code;
    std::size_t length = decode(text, i, code);
    bool keep = length != 0 && !is_control(code);
    std::size_t added = keep ? length : 1;
    if (line.size() + added > max_bytes) break;
    if (keep) {
      line.append(text.substr(i, length));
    } else {
      line.push_back(' ');
    }
    i += length == 0 ? 1 : length;
  }
  return line;
}

}  // namespace guichet::connectors
