#include "common/ledger.hpp"

namespace guichet::sim {

Response Ledger::submit(const std::string& key, const std::string& path, const nlohmann::json& body,
                        const std::function<Response()>& create) {
  std::lock_guard lock(mutex_);
  if (auto it = index_by_key_.find(key); it != index_by_key_.end()) {
    Entry& entry = entries_[it->second];
    if (entry.path != path || entry.body != body) return Response::error(422, "idempotency_mismatch");
    ++entry.count;
    return entry.response;
  }
  Response response = create();
  if (response.ok()) {
    index_by_key_[key] = entries_.size();
    entries_.push_back({key, path, body, response, 1, now_ms()});
  }
  return response;
}

Json Ledger::to_json(const std::string& agency) const {
  std::lock_guard lock(mutex_);
  Json received = Json::array();
  for (const Entry& entry : entries_) {
    received.push_back({{"idempotency_key", entry.key},
                        {"path", entry.path},
                        {"body", entry.body},
                        {"count", entry.count},
                        {"first_at", format_rfc3339(entry.first_at)}});
  }
  return {{"agency", agency}, {"effects", entries_.size()}, {"received", received}};
}

}  // namespace guichet::sim
