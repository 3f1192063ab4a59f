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
      forget_window();
      failures_in_a_row_ = 0;
    }
    return;
  }
  if (state_ == State::open) return;  // a call let through before it opened
  int64_t second = now_ms / 1000;
  if (window_.empty() || window_.back().second != second) window_.push_back({second, 0, 0});
  window_.back().calls += 1;
  window_.back().failures += transient_failure ? 1 : 0;
  window_calls_ += 1;
  window_failures_ += transient_failure ? 1 : 0;
  while ((second - window_.front().second) * 1000 > options_.window_ms) {
    window_calls_ -= window_.front().calls;
    window_failures_ -= window_.front().failures;
    window_.pop_front();
  }
  failures_in_a_row_ = transient_failure ? failures_in_a_row_ + 1 : 0;
  bool ratio_exceeded = window_calls_ >= options_.min_calls &&
                        window_failures_ >= options_.failure_ratio * static_cast<double>(window_calls_);
  if (failures_in_a_row_ >= options_.consecutive_failures || ratio_exceeded) open_locked(now_ms);
}

void CircuitBreaker::open_locked(int64_t now_ms) {
  state_ = State::open;
  open_until_ms_ = now_ms + options_.open_ms;
  forget_window();
  failures_in_a_row_ = 0;
}

void CircuitBreaker::forget_window() {
  window_.clear();
  window_calls_ = 0;
  window_failures_ = 0;
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
