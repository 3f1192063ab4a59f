#include "hub/inbound/agency_events.h"

#include "hub/domain/request_state.h"

namespace guichet::inbound {
namespace {

constexpr size_t kMaxMessage = 500;

std::string text(const nlohmann::json& event, const char* key) {
  auto it = event.find(key);
  return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

ApplyResult apply_events(store::Store& store, const std::string& instance, const nlohmann::json& events,
                         const std::string& source, int64_t now_ms) {
  ApplyResult result;
  if (!events.is_array()) return result;
  std::string received = format_time(now_ms);
  for (const auto& event : events) {
    store::AgencyEvent e;
    e.instance = instance;
    e.source = source;
    e.recorded_at = received;
    if (event.is_object()) {
      e.request_id = text(event, "request_id");
      e.agency_reference = text(event, "agency_reference");
      e.state = text(event, "state");
      e.message = text(event, "message").substr(0, kMaxMessage);
      std::string at = text(event, "at");
      // An agency clock is not trusted to be valid: an unreadable time is the time of receipt.
      e.at = parse_time(at) ? format_time(*parse_time(at)) : received;
    }
    bool valid = !e.state.empty() && parse_request_state(e.state) && (!e.request_id.empty() || !e.agency_reference.empty());
    // The hub's own states are not the agency's to set.
    if (!valid || e.state == "queued" || e.state == "failed") {
      ++result.invalid;
      continue;
    }
    if (store.apply_agency_event(e)) {
      ++result.applied;
    } else {
      ++result.ignored;
    }
  }
  return result;
}

}  // namespace guichet::inbound
