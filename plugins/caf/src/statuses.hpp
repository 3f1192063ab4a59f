// The CAF's request statuses, as hub states (docs/agencies.md).
#ifndef GUICHET_CAF_STATUSES_HPP
#define GUICHET_CAF_STATUSES_HPP

#include <guichet/connectors/events.hpp>
#include <guichet/sdk/connector.hpp>

#include <optional>
#include <string>

namespace guichet::caf {

std::optional<std::string> hub_state(const std::string& statut);

// An event from the CAF's status document ({"reference","statut","motif","dateMaj"}), used by both
// the webhook and the poll; nothing when the document is unreadable or its status unknown.
std::optional<connectors::StatusEvent> status_event(const sdk::Json& document,
                                                    const std::string& fallback_at);

}  // namespace guichet::caf

#endif
