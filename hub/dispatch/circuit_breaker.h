// One agency's circuit breaker: after repeated transient failures the dispatcher stops calling it
// for a while instead of spending every queued request's attempts against an agency that is down.
//
//   closed     calls go; opens after `consecutive_failures` transient failures in a row, or when
//              at least `failure_ratio` of the calls of the last `window_ms` failed (with at least
//              `min_calls` calls in the window).
//   open       no call for `open_ms`; rows are rescheduled past it without spending attempts.
//   half_open  one probe call at a time: a success closes the breaker, a failure opens it again.
//
// Thread-safety: every method may be called from any thread.
#ifndef GUICHET_HUB_DISPATCH_CIRCUIT_BREAKER_H
#define GUICHET_HUB_DISPATCH_CIRCUIT_BREAKER_H

#include <cstdint>
#include <deque>
#include <mutex>

namespace guichet::dispatch {

struct BreakerOptions {
  int consecutive_failures = 5;
  double failure_ratio = 0.5;
  int min_calls = 5;
  int64_t window_ms = 10 * 60 * 1000;
  int64_t open_ms = 30 * 1000;
};

class CircuitBreaker {
 public:
  enum class State { closed, open, half_open };

  explicit CircuitBreaker(BreakerOptions options = {}) : options_(options) {}

  // Whether a call may be made now; in half_open, true for the one probe only.
  bool allow(int64_t now_ms);
  // The outcome of a call that allow() let through.
  void record(int64_t now_ms, bool transient_failure);
  // When a row refused by allow() should come back.
  int64_t retry_at_ms(int64_t now_ms) const;
  State state() const;

 private:
  // Calls counted per second of the window: constant work and memory per call, whatever the rate.
  struct Second {
    int64_t second;
    int64_t calls;
    int64_t failures;
  };

  void open_locked(int64_t now_ms);
  void forget_window();

  const BreakerOptions options_;
  mutable std::mutex mutex_;
  State state_ = State::closed;
  std::deque<Second> window_;
  int64_t window_calls_ = 0;
  int64_t window_failures_ = 0;
  int failures_in_a_row_ = 0;
  int64_t open_until_ms_ = 0;
  bool probing_ = false;
};

const char* to_string(CircuitBreaker::State state);

}  // namespace guichet::dispatch

#endif  // GUICHET_HUB_DISPATCH_CIRCUIT_BREAKER_H
