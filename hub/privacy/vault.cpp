#include "hub/privacy/vault.h"

#include "hub/privacy/sealing.h"

namespace guichet::privacy {

store::PersonRecord Vault::seal_new(const std::string& case_id, const store::PersonRecord& plain) {
  std::string key = keys_.create(case_id);
  return {seal(key, plain.person_json, case_id + "/person"), seal(key, plain.situation_json, case_id + "/situation")};
}

std::optional<store::PersonRecord> Vault::open(const std::string& case_id, const store::PersonRecord& sealed) {
  auto key = keys_.find(case_id);
  if (!key) return std::nullopt;
  return store::PersonRecord{open_sealed(*key, sealed.person_json, case_id + "/person"),
                             open_sealed(*key, sealed.situation_json, case_id + "/situation")};
}

std::optional<std::string> Vault::seal_for_case(const std::string& case_id, const std::string& text,
                                               const std::string& context) {
  auto key = keys_.find(case_id);
  if (!key) return std::nullopt;
  return seal(*key, text, context);
}

std::string Vault::seal_alone(const std::string& key_id, const std::string& text, const std::string& context) {
  return seal(keys_.create(key_id), text, context);
}

std::optional<std::string> Vault::open_text(const std::string& key_id, const std::string& sealed,
                                            const std::string& context) {
  auto key = keys_.find(key_id);
  if (!key) return std::nullopt;
  return open_sealed(*key, sealed, context);
}

}  // namespace guichet::privacy
