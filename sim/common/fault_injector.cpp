#include "common/fault_injector.hpp"

#include <stdexcept>
#include <string>

namespace guichet::sim {
namespace {

constexpr int max_latency_ms = 60'000;

std::chrono::steady_clock::duration seconds(double value) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(value));
}

// Out-of-range values map to -1 so that invalid_setting() rejects them instead of the cast overflowing.
int as_latency_ms(double value) {
  return value >= 0 && value <= max_latency_ms ? static_cast<int>(value) : -1;
}

// The name of the first setting out of range, or empty when all are valid.
std::string invalid_setting(const FaultSettings& settings) {
  auto is_rate = [](double rate) { return rate >= 0 && rate <= 1; };
  if (!is_rate(settings.error_rate)) return "error_rate";
  if (!is_rate(settings.hang_rate)) return "hang_rate";
  if (!is_rate(settings.rate_limit_rate)) return "rate_limit_rate";
  if (!is_rate(settings.trickle_rate)) return "trickle_rate";
  if (settings.latency_ms < 0 || settings.latency_ms > max_latency_ms) return "latency_ms";
  if (!(settings.fail_5xx_for_s >= 0 && settings.fail_5xx_for_s <= 86'400)) return "fail_5xx_for_s";
  return {};
}

}  // namespace

FaultInjector::FaultInjector(const FaultSettings& settings)
    : settings_(settings), random_(std::random_device{}()) {
  if (const std::string name = invalid_setting(settings_); !name.empty()) {
    throw std::invalid_argument("fault setting " + name + " is out of range");
  }
  outage_until_ = std::chrono::steady_clock::now() + seconds(settings_.fail_5xx_for_s);
}

FaultDecision FaultInjector::decide() {
  std::lock_guard lock(mutex_);
  FaultDecision decision;
  decision.latency = std::chrono::milliseconds(settings_.latency_ms);
  std::uniform_real_distribution<double> roll(0.0, 1.0);
  if (std::chrono::steady_clock::now() < outage_until_) {
    decision.fault = Fault::unavailable;
  } else if (roll(random_) < settings_.hang_rate) {
    decision.fault = Fault::hang;
  } else if (roll(random_) < settings_.trickle_rate) {
    decision.fault = Fault::trickle;
  } else if (roll(random_) < settings_.rate_limit_rate) {
    decision.fault = Fault::rate_limited;
  } else if (roll(random_) < settings_.error_rate) {
    decision.fault = Fault::unavailable;
  }
  return decision;
}

Response FaultInjector::configure(const nlohmann::json& changes) {
  if (!changes.is_object()) return Response::error(400, "invalid_request");
  std::lock_guard lock(mutex_);
  FaultSettings next = settings_;
  for (const auto& [name, value] : changes.items()) {
    if (!value.is_number()) return Response::json(400, Json{{"error", "invalid_request"}, {"champ", name}});
    if (name == "error_rate") next.error_rate = value.get<double>();
    else if (name == "latency_ms") next.latency_ms = as_latency_ms(value.get<double>());
    else if (name == "fail_5xx_for_s") next.fail_5xx_for_s = value.get<double>();
    else if (name == "hang_rate") next.hang_rate = value.get<double>();
    else if (name == "rate_limit_rate") next.rate_limit_rate = value.get<double>();
    else if (name == "trickle_rate") next.trickle_rate = value.get<double>();
    else return Response::json(400, Json{{"error", "invalid_request"}, {"champ", name}});
  }
  if (const std::string name = invalid_setting(next); !name.empty()) {
    return Response::json(400, Json{{"error", "invalid_request"}, {"champ", name}});
  }
  settings_ = next;
  if (changes.contains("fail_5xx_for_s")) {
    outage_until_ = std::chrono::steady_clock::now() + seconds(next.fail_5xx_for_s);
  }
  return Response::json(200, to_json_locked());
}

Json FaultInjector::to_json() const {
  std::lock_guard lock(mutex_);
  return to_json_locked();
}

Json FaultInjector::to_json_locked() const {
  const auto left = std::chrono::duration<double>(outage_until_ - std::chrono::steady_clock::now());
  return {{"error_rate", settings_.error_rate},
          {"latency_ms", settings_.latency_ms},
          {"fail_5xx_for_s", left.count() > 0 ? left.count() : 0.0},
          {"hang_rate", settings_.hang_rate},
          {"rate_limit_rate", settings_.rate_limit_rate},
          {"trickle_rate", settings_.trickle_rate}};
}

}  // namespace guichet::sim
