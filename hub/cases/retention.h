// Retention: a case whose every request is settled, and that nothing has touched for
// `settled_days`, is erased by the hub itself (GDPR art. 5(1)(e)), the same way as a référent's
// DELETE: its key first, then its rows. Nobody has to remember to do it.
//
// Thread-safety: start/stop from one thread; erase_due() may be called from any thread.
#ifndef GUICHET_HUB_CASES_RETENTION_H
#define GUICHET_HUB_CASES_RETENTION_H

#include "hub/domain/time.h"
#include "hub/privacy/vault.h"
#include "hub/store/store.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace guichet::cases {

class Retention {
 public:
  // Called with the number of cases each pass erased, for metrics.
  using Observer = std::function<void(int erased)>;

  // settled_days > 0. The first pass runs at start(), then one every `interval_ms`.
  Retention(store::Store& store, privacy::Vault& vault, Clock clock, int settled_days,
            int64_t interval_ms = 3600 * 1000, Observer observer = {});
  ~Retention();
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  void start();
  void stop();
  // One pass; returns how many cases it erased. Throws store::StoreUnavailable.
  int erase_due();

 private:
  void run();

  store::Store& store_;
  privacy::Vault& vault_;
  Clock clock_;
  int64_t keep_ms_;
  int64_t interval_ms_;
  Observer observer_;

  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace guichet::cases

#endif
