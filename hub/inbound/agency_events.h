// Turns the events a connector reports (sdk "event" JSON) into stored agency reports. One place,
// so webhooks, polls and emails obey the same rules: known states only, bounded messages, and the
// store's monotonic merge.
#ifndef GUICHET_HUB_INBOUND_AGENCY_EVENTS_H
#define GUICHET_HUB_INBOUND_AGENCY_EVENTS_H

#include "hub/domain/time.h"
#include "hub/store/store.h"

#include <nlohmann/json.hpp>

#include <string>

namespace guichet::inbound {

struct ApplyResult {
  int applied = 0;   // moved a request
  int ignored = 0;   // unknown request, stale, or nothing new
  int invalid = 0;   // not an event the hub understands
};

// `events` is the connector's array; `source` is webhook, poll or email.
ApplyResult apply_events(store::Store& store, const std::string& instance, const nlohmann::json& events,
                         const std::string& source, int64_t now_ms);

}  // namespace guichet::inbound

#endif
