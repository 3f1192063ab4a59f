// What the dispatcher does with a connector's answer: the request's next state, and whether the
// outbox row is done or due again. Pure, so every branch is tested without a connector.
#ifndef GUICHET_HUB_DISPATCH_OUTCOME_H
#define GUICHET_HUB_DISPATCH_OUTCOME_H

#include "hub/dispatch/retry_policy.h"
#include "hub/store/records.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <random>
#include <string>

namespace guichet::dispatch {

struct Decision {
  bool done = true;              // false: reschedule at next_attempt_ms
  int64_t next_attempt_ms = 0;
  store::Transition transition;
  std::optional<std::string> degrade_instance;  // the instance's configuration is wrong: say why
};

// `outcome` is the connector's Outcome::to_json(). An outcome that cannot be read is treated as a
// transient failure: the effect may or may not have happened, and the same key makes a retry safe.
Decision decide(const store::Delivery& delivery, const nlohmann::json& outcome, int64_t now_ms,
                const RetryPolicy& policy, std::mt19937_64& random);

// The connector could not be called, or threw: retried when `transient`, failed otherwise.
Decision decide_failure(const store::Delivery& delivery, const std::string& message, bool transient,
                        int64_t now_ms, const RetryPolicy& policy, std::mt19937_64& random);

}  // namespace guichet::dispatch

#endif
