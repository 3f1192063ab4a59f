// Decides, per API call, whether the simulator misbehaves: outage window, random 503, 429, added
// latency, an answer withheld until the client gives up, or one trickled a byte at a time. Set from flags at start and from
// POST /_faults at run time, with the same names.
//
// Thread-safety: all methods may be called concurrently.
#ifndef GUICHET_SIM_COMMON_FAULT_INJECTOR_HPP
#define GUICHET_SIM_COMMON_FAULT_INJECTOR_HPP

#include "common/http.hpp"

#include <chrono>
#include <mutex>
#include <random>

namespace guichet::sim {

struct FaultSettings {
  double error_rate = 0;       // share answered 503
  int latency_ms = 0;          // added to every answer
  double fail_5xx_for_s = 0;   // 503 to everything for this long from when it is set
  double hang_rate = 0;        // share withheld
  double rate_limit_rate = 0;  // share answered 429
  double trickle_rate = 0;     // share whose body comes one byte every 500 ms
};

enum class Fault { none, unavailable, rate_limited, hang, trickle };

struct FaultDecision {
  Fault fault = Fault::none;
  std::chrono::milliseconds latency{0};
};

class FaultInjector {
 public:
  // Throws std::invalid_argument when a setting is out of range.
  explicit FaultInjector(const FaultSettings& settings);

  FaultDecision decide();

  // Applies the fields present in `changes` and keeps the others. Returns 400 naming the first
  // unknown or out-of-range field (and applies nothing), else 200 with the settings now in force.
  Response configure(const nlohmann::json& changes);
  Json to_json() const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  Json to_json_locked() const;

  mutable std::mutex mutex_;
  FaultSettings settings_;
  SteadyTime outage_until_;
  std::mt19937_64 random_;
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_FAULT_INJECTOR_HPP
