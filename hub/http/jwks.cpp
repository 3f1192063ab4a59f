#include "hub/http/jwks.h"

#include "hub/http/base64url.h"

#include <Poco/Crypto/EVPPKey.h>
#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace guichet::http {
namespace {

using Json = nlohmann::json;

constexpr int kMinModulusBits = 2048;

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const { Free(p); }
};
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

class KeyError : public std::runtime_error {
 public:
  KeyError(std::string member, const std::string& rule) : std::runtime_error(rule), member_(std::move(member)) {}
  const std::string& member() const { return member_; }

 private:
  std::string member_;
};

Bignum bignum(const Json& key, const char* member) {
  auto it = key.find(member);
  if (it == key.end() || !it->is_string()) throw KeyError(member, "must be a base64url string");
  auto bytes = decode_base64url(it->get<std::string>());
  if (!bytes || bytes->empty()) throw KeyError(member, "must be a base64url string");
  Bignum number(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()), static_cast<int>(bytes->size()),
                          nullptr));
  if (!number) throw std::bad_alloc();
  return number;
}

// Poco 1.11 cannot build a key from its modulus and exponent; OpenSSL's parameter builder can.
Poco::SharedPtr<Poco::Crypto::RSAKey> rsa_public_key(const Json& key) {
  Bignum n = bignum(key, "n");
  Bignum e = bignum(key, "e");
  if (BN_num_bits(n.get()) < kMinModulusBits) throw KeyError("n", "the modulus must be at least 2048 bits");
  if (!BN_is_odd(e.get()) || BN_is_one(e.get())) throw KeyError("e", "must be an odd exponent above 1");
  std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>> builder(OSSL_PARAM_BLD_new());
  if (!builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
    throw std::bad_alloc();
  }
  std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>> params(OSSL_PARAM_BLD_to_param(builder.get()));
  std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>> context(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* made = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) <= 0 ||
      EVP_PKEY_fromdata(context.get(), &made, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    throw KeyError("n", "OpenSSL refused the key");
  }
  std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>> owned(made);
  return new Poco::Crypto::RSAKey(Poco::Crypto::EVPPKey(owned.get()));  // EVPPKey copies the key
}

std::string optional_text(const Json& key, const char* member, const std::string& where) {
  auto it = key.find(member);
  if (it == key.end()) return {};
  if (!it->is_string()) throw JwksError(where + member + ": must be a string");
  return it->get<std::string>();
}

}  // namespace

Jwks Jwks::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw JwksError(file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), file.string());
}

Jwks Jwks::parse(const std::string& document, const std::string& origin) {
  Json root = Json::parse(document, nullptr, false);
  if (root.is_discarded() || !root.is_object() || !root.contains("keys") || !root["keys"].is_array()) {
    throw JwksError(origin + ": must be a JSON object with a \"keys\" array");
  }
  Jwks jwks;
  for (size_t i = 0; i < root["keys"].size(); ++i) {
    const Json& key = root["keys"][i];
    const std::string where = origin + ": keys[" + std::to_string(i) + "].";
    if (!key.is_object()) throw JwksError(where.substr(0, where.size() - 1) + ": must be an object");
    if (optional_text(key, "kty", where) != "RSA") continue;
    std::string use = optional_text(key, "use", where), alg = optional_text(key, "alg", where);
    if ((!use.empty() && use != "sig") || (!alg.empty() && alg != "RS256")) continue;
    std::string kid = optional_text(key, "kid", where);
    if (kid.empty()) throw JwksError(where + "kid: is required for a signing key");
    if (jwks.keys_.count(kid)) throw JwksError(where + "kid: another key has the same kid");
    try {
      jwks.keys_[kid] = rsa_public_key(key);
    } catch (const KeyError& e) {
      throw JwksError(where + e.member() + ": " + e.what());
    }
  }
  if (jwks.keys_.empty()) throw JwksError(origin + ": keys: no RSA signing key usable for RS256");
  return jwks;
}

Poco::SharedPtr<Poco::Crypto::RSAKey> Jwks::find(const std::string& kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second;
}

}  // namespace guichet::http
