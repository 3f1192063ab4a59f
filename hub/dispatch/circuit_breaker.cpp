#include "hub/dispatch/circuit_breaker.h"

#include <algorithm>

namespace guichet::dispatch {

bool CircuitBreaker::allow(int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (state_ == State::closed) return true;
  if (state_ == State::open && now_ms >= open_until_ms_) {
    state_ = State::half_open;
    probing_ = false;
  }
  if (state_ == State::half_open && !probing_) {
    probing_ = true;
    return true;
  }
  return false;
}

void CircuitBreaker::record(int64_t now_ms, bool transient_failure) {
  std::lock_guard lock(mutex_);
  if (state_ == State::half_open) {
    probing_ = false;
    if (transient_failure) {
      open_locked(now_ms);
    } else {
      state_ = State::closed;
      calls_.clear();
      failures_in_a_row_ = 0;
    }
    return;
  }
  if (state_ == State::open) return;  // a call let through before it opened
  calls_.emplace_back(now_ms, transient_failure);
  while (!calls_.empty() && now_ms - calls_.front().first > options_.window_ms) calls_.pop_front();
  failures_in_a_row_ = transient_failure ? failures_in_a_row_ + 1 : 0;
  auto failures = std::count_if(calls_.begin(), calls_.end(), [](const auto& call) { return call.second; });
  bool ratio_exceeded = static_cast<int>(calls_.size()) >= options_.min_calls &&
                        failures >= options_.failure_ratio * static_cast<double>(calls_.size());
  if (failures_in_a_row_ >= options_.consecutive_failures || ratio_exceeded) open_locked(now_ms);
}

void CircuitBreaker::open_locked(int64_t now_ms) {
  state_ = State::open;
  open_until_ms_ = now_ms + options_.open_ms;
  calls_.clear();
  failures_in_a_row_ = 0;
}

int64_t CircuitBreaker::retry_at_ms(int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  return state_ == State::open ? std::max(open_until_ms_, now_ms + 1) : now_ms + options_.open_ms;
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

const char* to_string(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::closed: return "closed";
    case CircuitBreaker::State::open: return "open";
    case CircuitBreaker::State::half_open: return "half_open";
  }
  return "closed";
}

}  // namespace guichet::dispatch
