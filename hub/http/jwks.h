// The RSA signing keys of an OpenID provider, from a JWKS file (RFC 7517) read once at start-up:
// {"keys":[{"kty":"RSA","kid","use":"sig","alg":"RS256","n","e"}]} with n and e in base64url.
// Keys for other uses or algorithms (encryption keys, EC keys) are skipped; an RSA signing key
// must have a kid of its own and a modulus of at least 2048 bits. A rotated key needs a restart.
//
// Errors: load() and parse() throw JwksError, "<origin>: keys[i].<member>: <rule>", never a value.
// Thread-safety: immutable once built; find() may be called from any thread.
#ifndef GUICHET_HUB_HTTP_JWKS_H
#define GUICHET_HUB_HTTP_JWKS_H

#include <Poco/Crypto/RSAKey.h>
#include <Poco/SharedPtr.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

namespace guichet::http {

class JwksError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Jwks {
 public:
  static Jwks load(const std::filesystem::path& file);
  // `origin` names the document in errors.
  static Jwks parse(const std::string& document, const std::string& origin);

  // The public key whose kid is `kid`; null when there is none.
  Poco::SharedPtr<Poco::Crypto::RSAKey> find(const std::string& kid) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, Poco::SharedPtr<Poco::Crypto::RSAKey>> keys_;
};

}  // namespace guichet::http

#endif
