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
#include <string>

namespace guichet::privacy {

class Vault {
 public:
  explicit Vault(KeyStore& keys) : keys_(keys) {}

  // Creates the case's key and seals `plain` with it.
  store::PersonRecord seal_new(const std::string& case_id, const store::PersonRecord& plain);
  // Nothing when the case's key is gone (the case was erased).
  std::optional<store::PersonRecord> open(const std::string& case_id, const store::PersonRecord& sealed);
  void erase(const std::string& case_id) { keys_.destroy(case_id); }

  // Free text that belongs to a case (an agency's mail about it), sealed with the case's key:
  // erasing the case erases it too. Nothing when the case was erased.
  std::optional<std::string> seal_for_case(const std::string& case_id, const std::string& text,
                                           const std::string& context);
  // Free text that belongs to no case, sealed with a new key named `key_id`; forget(key_id)
  // makes it unreadable for good.
  std::string seal_alone(const std::string& key_id, const std::string& text, const std::string& context);
  // Opens what either of the above sealed, `key_id` being the case id or the key's name. Nothing
  // when that key is gone.
  std::optional<std::string> open_text(const std::string& key_id, const std::string& sealed, const std::string& context);
  void forget(const std::string& key_id) { keys_.destroy(key_id); }

 private:
  KeyStore& keys_;
};

// The context a référent's answer to an agency is sealed under (seal_for_case): its idempotency
// key, so that one sealed answer cannot be passed off as another.
inline std::string answer_context(const std::string& idempotency_key) { return "answer:" + idempotency_key; }

}  // namespace guichet::privacy

#endif
