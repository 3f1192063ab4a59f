#include "hub/http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace guichet::http {

RateLimiter::RateLimiter(RateLimitSettings settings, Clock clock)
    : settings_(settings),
      per_ms_(settings.per_minute / 60000.0),
      sweep_every_ms_(settings.per_minute > 0
                          ? std::max<int64_t>(1000, int64_t{settings.burst} * 60000 / settings.per_minute)
                          : 0),
      clock_(std::move(clock)) {
  if (settings.per_minute < 0 || settings.burst < 1) {
    throw std::invalid_argument("rate limit: per_minute must be 0 or more and burst 1 or more");
  }
}

double RateLimiter::refilled(const Bucket& bucket, int64_t now_ms) const {
  double elapsed = static_cast<double>(std::max<int64_t>(0, now_ms - bucket.at_ms));
  return std::min(static_cast<double>(settings_.burst), bucket.tokens + elapsed * per_ms_);
}

int RateLimiter::take(const std::string& key) {
  if (settings_.per_minute == 0) return 0;
  int64_t now = clock_();
  std::lock_guard lock(mutex_);
  if (now - swept_ms_ >= sweep_every_ms_) forget_full_buckets(now);
  Bucket& bucket = buckets_.try_emplace(key, Bucket{static_cast<double>(settings_.burst), now}).first->second;
  double tokens = refilled(bucket, now);
  if (tokens >= 1) {
    bucket = {tokens - 1, now};
    return 0;
  }
  double wait_ms = (1 - tokens) / per_ms_;
  return std::max(1, static_cast<int>(std::ceil(wait_ms / 1000)));
}

void RateLimiter::forget_full_buckets(int64_t now_ms) {
  swept_ms_ = now_ms;
  std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now_ms) >= settings_.burst; });
}

size_t RateLimiter::tracked() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace guichet::http
