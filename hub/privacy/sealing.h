// Personal data at rest is sealed with AES-256-GCM: confidentiality and integrity in one step, so
// a modified blob fails to open instead of yielding altered data.
//
// Layout of a sealed blob: "g1." + base64(nonce[12] | ciphertext | tag[16]).
#ifndef GUICHET_HUB_PRIVACY_SEALING_H
#define GUICHET_HUB_PRIVACY_SEALING_H

#include <stdexcept>
#include <string>

namespace guichet::privacy {

inline constexpr size_t kKeyBytes = 32;

class SealError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string random_bytes(size_t count);
// `key` must be kKeyBytes long. `context` is authenticated but not stored (e.g. the case id), so
// a blob copied to another case does not open there.
std::string seal(const std::string& key, const std::string& plaintext, const std::string& context);
// Throws SealError when the key, the context or the blob is wrong.
std::string open_sealed(const std::string& key, const std::string& sealed, const std::string& context);

}  // namespace guichet::privacy

#endif
