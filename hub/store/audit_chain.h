// The audit log's chain (docs/privacy.md): each entry carries the hash of the one before it, and
// its own hash covers that and every other column, so a row changed, deleted or moved in the table
// breaks the chain at that row. Both stores append and verify with these functions only, so that
// they cannot disagree on what an entry's hash is.
#ifndef GUICHET_HUB_STORE_AUDIT_CHAIN_H
#define GUICHET_HUB_STORE_AUDIT_CHAIN_H

#include "hub/store/records.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace guichet::store {

class Store;

// The prev_hash of the first entry.
extern const std::string kAuditGenesis;

// How the log names a référent, so that no référent id can pass for "hub" or "admin".
inline std::string referent_actor(const std::string& referent) { return "referent:" + referent; }
inline std::string agency_actor(const std::string& instance) { return "agency:" + instance; }

// SHA-256, lowercase hex, over an unambiguous serialisation (each column length-prefixed) of
// seq, at, actor, action, case_id, request_id, detail and prev_hash.
std::string audit_hash(const AuditEntry& entry);

// The entry that follows `prev_hash` (at `seq`): `event` with its hash.
AuditEntry chain_entry(int64_t seq, const std::string& at, const std::string& prev_hash, const AuditEvent& event);

// The events the stores append, built here so that both stores record an action alike.
AuditEvent audit_event(const std::string& actor, const std::string& action, const std::string& case_id,
                       const std::string& request_id, const nlohmann::json& detail = nlohmann::json::object());
// case.create, case.add_needs: the requests opened (id, instance) and the consents given with them.
AuditEvent intake_event(const std::string& action, const std::string& actor, const std::string& case_id,
                        const std::vector<NewRequest>& requests, const std::vector<ConsentEntry>& consents);
// dispatch.deliver, dispatch.withdraw: which fields went to which instance, and what came of it.
AuditEvent dispatch_event(const Delivery& delivery, const Transition& transition, const std::string& result);

struct AuditCheck {
  int64_t verified = 0;         // entries found sound, from the first one
  std::optional<int64_t> bad;   // the first entry that is not; unset when the chain is intact
  std::string problem;          // missing, changed, not chained to the entry before it
  std::string head_hash;        // the last entry's hash, to anchor outside the database
};

// Reads the whole log from `store`, page by page, and checks it; with `anchor` (a head recorded
// outside the database by an earlier verify), also that the log still holds that entry unchanged,
// which shows the newest entries removed together with the head. Throws StoreUnavailable.
AuditCheck verify_audit(Store& store, const std::optional<AuditHead>& anchor = std::nullopt);

}  // namespace guichet::store

#endif
