// A token bucket per référent: up to `burst` requests at once, then `per_minute` a minute. A bucket
// that has filled up again holds nothing a new one would not, so it is forgotten: memory follows
// the référents active in the last few seconds, not every one who ever called.
//
// Errors: none. Thread-safety: take() and tracked() may be called from any thread.
#ifndef GUICHET_HUB_HTTP_RATE_LIMITER_H
#define GUICHET_HUB_HTTP_RATE_LIMITER_H

#include "hub/domain/time.h"

#include <mutex>
#include <string>
#include <unordered_map>

namespace guichet::http {

// "http.rate_per_minute" and "http.burst" of config/guichet.json.
struct RateLimitSettings {
  int per_minute = 600;  // 0: no limit
  int burst = 60;
};

class RateLimiter {
 public:
  // `clock` should be monotonic: a clock set back would read as a long pause.
  RateLimiter(RateLimitSettings settings, Clock clock);

  // 0 when `key` may make a request now, which is then counted; otherwise the whole seconds, at
  // least 1, until it may, and nothing is counted.
  int take(const std::string& key);
  size_t tracked() const;

 private:
  struct Bucket {
    double tokens;
    int64_t at_ms;
  };
  double refilled(const Bucket& bucket, int64_t now_ms) const;
  void forget_full_buckets(int64_t now_ms);

  const RateLimitSettings settings_;
  const double per_ms_;
  const int64_t sweep_every_ms_;  // the time from empty to full, or a second if shorter
  Clock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  int64_t swept_ms_ = 0;
};

}  // namespace guichet::http

#endif
