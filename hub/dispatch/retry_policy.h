// When to try a failed delivery again: exponential backoff with full jitter (Brooker, "Exponential
// Backoff and Jitter"), so that agencies coming back from an outage are not hit by every retry at
// once, and a bound on attempts and on total time so a request never sits silently in a loop.
#ifndef GUICHET_HUB_DISPATCH_RETRY_POLICY_H
#define GUICHET_HUB_DISPATCH_RETRY_POLICY_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>

namespace guichet::dispatch {

struct RetryPolicy {
  int64_t initial_ms = 1000;
  double multiplier = 2.0;
  int64_t cap_ms = 5 * 60 * 1000;
  int max_attempts = 12;                         // 0: no bound on attempts, only on time
  int64_t give_up_after_ms = 72LL * 3600 * 1000;  // from the first queuing

  // Reads {"initial_ms","multiplier","cap_ms","max_attempts","give_up_after_s"}, each optional.
  // Throws std::invalid_argument naming the key for a value out of range.
  static RetryPolicy from_json(const nlohmann::json& json, const RetryPolicy& defaults);

  // Delay before attempt `attempt + 1`, after `attempt` attempts: uniform in
  // [0, min(cap, initial * multiplier^(attempt-1))], and never less than what the agency asked.
  int64_t delay_ms(int attempt, int64_t retry_after_ms, std::mt19937_64& random) const;

  bool exhausted(int attempts, int64_t first_queued_ms, int64_t now_ms) const {
    return (max_attempts > 0 && attempts >= max_attempts) || now_ms - first_queued_ms >= give_up_after_ms;
  }
};

}  // namespace guichet::dispatch

#endif
