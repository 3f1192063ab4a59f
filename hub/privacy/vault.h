// The personal part of a case, sealed with the case's own key before it reaches the store and
// opened only where it is needed (projection for a connector, adding a need). Erasing the case
// destroys the key, which is what makes the erasure hold for copies and backups too.
//
// Thread-safety: every method may be called from any thread.
#ifndef GUICHET_HUB_PRIVACY_VAULT_H
#define GUICHET_HUB_PRIVACY_VAULT_H

#include "hub/privacy/key_store.h"
#include "hub/store/records.h"

#include <optional>

namespace guichet::privacy {

class Vault {
 public:
  explicit Vault(KeyStore& keys) : keys_(keys) {}

  // Creates the case's key and seals `plain` with it.
  store::PersonRecord seal_new(const std::string& case_id, const store::PersonRecord& plain);
  // Nothing when the case's key is gone (the case was erased).
  std::optional<store::PersonRecord> open(const std::string& case_id, const store::PersonRecord& sealed);
  void erase(const std::string& case_id) { keys_.destroy(case_id); }

 private:
  KeyStore& keys_;
};

}  // namespace guichet::privacy

#endif
