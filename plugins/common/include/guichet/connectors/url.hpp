// Percent-encoding for form bodies and query strings (RFC 3986 unreserved characters kept).
#ifndef GUICHET_CONNECTORS_URL_HPP
#define GUICHET_CONNECTORS_URL_HPP

#include <map>
#include <string>
#include <string_view>

namespace guichet::connectors {

std::string percent_encode(std::string_view text);

// "a=1&b=2" from pairs, each value percent-encoded: the body of an OAuth2 token request.
std::string form_encode(const std::map<std::string, std::string>& fields);

}  // namespace guichet::connectors

#endif
