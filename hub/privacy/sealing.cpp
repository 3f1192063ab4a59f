#include "hub/privacy/sealing.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <sstream>

namespace guichet::privacy {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
const std::string kPrefix = "g1.";

using Context = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Context new_context() {
  Context context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!context) throw SealError("cipher context unavailable");
  return context;
}

const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string to_base64(const std::string& raw) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_NO_PADDING);
  encoder.rdbuf()->setLineLength(0);
  encoder << raw;
  encoder.close();
  return out.str();
}

std::string from_base64(const std::string& text) {
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in, Poco::BASE64_NO_PADDING);
  std::string raw((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  return raw;
}

void check_key(const std::string& key) {
  if (key.size() != kKeyBytes) throw SealError("a sealing key must be 32 bytes");
}

}  // namespace

std::string random_bytes(size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    throw SealError("no randomness available");
  }
  return out;
}

std::string seal(const std::string& key, const std::string& plaintext, const std::string& context) {
  check_key(key);
  std::string nonce = random_bytes(kNonceBytes);
  Context ctx = new_context();
  std::string out(plaintext.size() + 16, '\0');
  int length = 0, total = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(context), static_cast<int>(context.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, bytes(plaintext),
                              static_cast<int>(plaintext.size())) == 1;
  total = length;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total, &length) == 1;
  total += length;
  std::string tag(kTagBytes, '\0');
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) == 1;
  if (!ok) throw SealError("sealing failed");
  out.resize(static_cast<size_t>(total));
  return kPrefix + to_base64(nonce + out + tag);
}

std::string open_sealed(const std::string& key, const std::string& sealed, const std::string& context) {
  check_key(key);
  if (sealed.compare(0, kPrefix.size(), kPrefix) != 0) throw SealError("not a sealed blob");
  std::string raw = from_base64(sealed.substr(kPrefix.size()));
  if (raw.size() < kNonceBytes + kTagBytes) throw SealError("sealed blob too short");
  std::string nonce = raw.substr(0, kNonceBytes);
  std::string tag = raw.substr(raw.size() - kTagBytes);
  std::string ciphertext = raw.substr(kNonceBytes, raw.size() - kNonceBytes - kTagBytes);
  Context ctx = new_context();
  std::string out(ciphertext.size() + 16, '\0');
  int length = 0, total = 0;
  bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(context), static_cast<int>(context.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, bytes(ciphertext),
                              static_cast<int>(ciphertext.size())) == 1;
  total = length;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
       EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total, &length) == 1;
  if (!ok) throw SealError("sealed blob does not open with this key and context");
  out.resize(static_cast<size_t>(total + length));
  return out;
}

}  // namespace guichet::privacy
