#include "hub/cases/retention.h"

#include <Poco/Logger.h>

namespace guichet::cases {
namespace {

constexpr int kBatch = 200;

}  // namespace

Retention::Retention(store::Store& store, privacy::Vault& vault, Clock clock, int settled_days, int64_t interval_ms,
                     Observer observer)
    : store_(store),
      vault_(vault),
      clock_(std::move(clock)),
      keep_ms_(int64_t{settled_days} * 86400 * 1000),
      interval_ms_(interval_ms),
      observer_(std::move(observer)) {}

Retention::~Retention() { stop(); }

void Retention::start() {
  std::lock_guard lock(mutex_);
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Retention::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Retention::run() {
  while (true) {
    try {
      int erased = erase_due();
      if (erased) Poco::Logger::get("retention").information("%d settled case(s) erased", erased);
      if (observer_) observer_(erased);
    } catch (const std::exception& e) {
      // The cases stay until the next pass: erasing late is better than stopping the hub.
      Poco::Logger::get("retention").warning("retention pass failed: %s", std::string(e.what()));
    }
    std::unique_lock lock(mutex_);
    if (wakeup_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [&] { return stopping_; })) return;
  }
}

int Retention::erase_due() {
  const std::string before = format_time(clock_() - keep_ms_);
  int erased = 0;
  for (auto due = store_.settled_cases_before(before, kBatch); !due.empty();
       due = store_.settled_cases_before(before, kBatch)) {
    for (const auto& case_id : due) {
      // The key first, as for a référent's erasure: a crash in between leaves rows nobody can read,
      // which the next pass removes.
      vault_.erase(case_id);
      erased += store_.erase_case(case_id, "hub") ? 1 : 0;
    }
  }
  return erased;
}

}  // namespace guichet::cases
