// The JSON a connector receives for one delivery, withdrawal or answer (sdk/.../connector.hpp "dispatch").
// The person and situation in it are projected by privacy/: only the fields the connector
// declared, with the confidential address replaced.
#ifndef GUICHET_HUB_DISPATCH_DISPATCH_MESSAGE_H
#define GUICHET_HUB_DISPATCH_DISPATCH_MESSAGE_H

#include "hub/privacy/projection.h"
#include "hub/store/records.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace guichet::dispatch {

struct DispatchMessage {
  nlohmann::json json;
  std::vector<std::string> disclosed;  // the fields that left the hub, for the disclosure record
};

// `answer`: for an answer, its text, opened from the outbox row (it is sealed there).
DispatchMessage build_dispatch(const store::Delivery& delivery, const store::PersonRecord& person,
                               const privacy::FieldPolicy& policy,
                               const std::optional<std::string>& answer = std::nullopt);

}  // namespace guichet::dispatch

#endif
