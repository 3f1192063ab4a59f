// base64url without padding (RFC 4648 §5), as JOSE writes every part of a token and a key
// (RFC 7515 §2).
#ifndef GUICHET_HUB_HTTP_BASE64URL_H
#define GUICHET_HUB_HTTP_BASE64URL_H

#include <optional>
#include <string>
#include <string_view>

namespace guichet::http {

// nullopt when `text` is not unpadded base64url: another character, padding, or a length no
// encoding produces.
std::optional<std::string> decode_base64url(std::string_view text);

}  // namespace guichet::http

#endif
