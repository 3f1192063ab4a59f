#include "hub/dispatch/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace guichet::dispatch {

RetryPolicy RetryPolicy::from_json(const nlohmann::json& json, const RetryPolicy& defaults) {
  RetryPolicy policy = defaults;
  if (json.is_null()) return policy;
  if (!json.is_object()) throw std::invalid_argument("retry: must be an object");
  auto number = [&](const char* key, double low, double high) -> std::optional<double> {
    auto it = json.find(key);
    if (it == json.end()) return std::nullopt;
    if (!it->is_number() || it->get<double>() < low || it->get<double>() > high) {
      throw std::invalid_argument(std::string("retry.") + key + ": must be a number from " +
                                  std::to_string(low) + " to " + std::to_string(high));
    }
    return it->get<double>();
  };
  if (auto v = number("initial_ms", 1, 3600000)) policy.initial_ms = static_cast<int64_t>(*v);
  if (auto v = number("multiplier", 1, 10)) policy.multiplier = *v;
  if (auto v = number("cap_ms", 1, 86400000)) policy.cap_ms = static_cast<int64_t>(*v);
  if (auto v = number("max_attempts", 0, 1000)) policy.max_attempts = static_cast<int>(*v);
  if (auto v = number("give_up_after_s", 1, 30 * 86400)) policy.give_up_after_ms = static_cast<int64_t>(*v * 1000);
  return policy;
}

int64_t RetryPolicy::delay_ms(int attempt, int64_t retry_after_ms, std::mt19937_64& random) const {
  double ceiling = static_cast<double>(initial_ms) * std::pow(multiplier, std::max(0, attempt - 1));
  int64_t bound = static_cast<int64_t>(std::min<double>(static_cast<double>(cap_ms), ceiling));
  std::uniform_int_distribution<int64_t> pick(0, std::max<int64_t>(bound, 0));
  return std::max(pick(random), retry_after_ms);
}

}  // namespace guichet::dispatch
