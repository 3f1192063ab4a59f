// Webhook signatures: HMAC-SHA256 in lower-case hex, compared in constant time.
#ifndef GUICHET_CONNECTORS_HMAC_HPP
#define GUICHET_CONNECTORS_HMAC_HPP

#include <string>
#include <string_view>

namespace guichet::connectors {

std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Constant time in the length of the expected value, so a forger learns nothing from timing.
bool equal_constant_time(std::string_view expected, std::string_view given);

}  // namespace guichet::connectors

#endif
