#include "hub/store/audit_chain.h"

#include "hub/store/store.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>

namespace guichet::store {

const std::string kAuditGenesis(64, '0');

std::string audit_hash(const AuditEntry& e) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  // A length before each column: no two different rows serialise alike, whatever they contain.
  for (const std::string& column : {std::to_string(e.seq), e.at, e.actor, e.action, e.case_id, e.request_id,
                                    e.detail, e.prev_hash}) {
    std::string prefix = std::to_string(column.size()) + ":";
    sha.update(prefix);
    sha.update(column);
  }
  return Poco::DigestEngine::digestToHex(sha.digest());
}

AuditEntry chain_entry(int64_t seq, const std::string& at, const std::string& prev_hash, const AuditEvent& event) {
  AuditEntry entry{seq, at, event.actor, event.action, event.case_id, event.request_id, event.detail, prev_hash, ""};
  entry.hash = audit_hash(entry);
  return entry;
}

AuditEvent audit_event(const std::string& actor, const std::string& action, const std::string& case_id,
                       const std::string& request_id, const nlohmann::json& detail) {
  return {actor, action, case_id, request_id, detail.dump()};
}

AuditEvent intake_event(const std::string& action, const std::string& actor, const std::string& case_id,
                        const std::vector<NewRequest>& requests, const std::vector<ConsentEntry>& consents) {
  nlohmann::json opened = nlohmann::json::array(), consent = nlohmann::json::object();
  for (const auto& r : requests) opened.push_back({{"request_id", r.id}, {"instance", r.instance}});
  for (const auto& c : consents) consent[c.need] = c.given;
  return audit_event(actor, action, case_id, "", {{"requests", opened}, {"consent", consent}});
}

AuditEvent dispatch_event(const Delivery& d, const Transition& t, const std::string& result) {
  return audit_event("hub", "dispatch." + d.operation, d.request.case_id, d.request.id,
                     {{"instance", d.request.instance}, {"attempt", d.attempts}, {"result", result},
                      {"fields", t.disclosed}});
}

AuditCheck verify_audit(Store& store, const std::optional<AuditHead>& anchor) {
  constexpr int kPage = 1000;
  // The head is read first: entries appended while the log is read are checked too, and the one the
  // head names must be there, or the newest entries were removed.
  AuditHead head = store.audit_head();
  AuditCheck check;
  std::string prev_hash = kAuditGenesis;
  int64_t expected = 1;
  auto fail = [&](int64_t seq, const char* problem) {
    check.bad = seq;
    check.problem = problem;
    return check;
  };
  for (bool more = true; more;) {
    auto page = store.audit_entries("", expected - 1, kPage);
    more = static_cast<int>(page.size()) == kPage;
    for (const AuditEntry& e : page) {
      if (e.seq != expected) return fail(expected, "missing");
      if (e.prev_hash != prev_hash) return fail(e.seq, "not chained to the entry before it");
      if (audit_hash(e) != e.hash) return fail(e.seq, "changed");
      if (e.seq == head.seq && e.hash != head.hash) return fail(e.seq, "changed");
      if (anchor && e.seq == anchor->seq && e.hash != anchor->hash) return fail(e.seq, "not the anchored entry");
      prev_hash = e.hash;
      ++expected;
      ++check.verified;
    }
  }
  if (check.verified < std::max(head.seq, anchor ? anchor->seq : 0)) return fail(check.verified + 1, "missing");
  check.head_hash = prev_hash;
  return check;
}

}  // namespace guichet::store
