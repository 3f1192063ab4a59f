#pragma once
// Headers: header fields by name, compared case-insensitively as HTTP and mail require. One value
// per name: repeated fields are joined with ", ". A plain value type; no shared state.

#include <map>
#include <string>
#include <string_view>

namespace guichet::test {

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept;
};

using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

// The value of `name`, or "" when absent.
std::string header_value(const Headers& headers, std::string_view name);

}  // namespace guichet::test
