// Delivers the outbox: worker threads claim due rows under a lease, hand each to its connector,
// and record the outcome. Because a row leaves the outbox only in the same transaction that
// records its outcome, a hub killed at any moment redelivers what it had not recorded, with the
// same idempotency key, once the lease has passed.
//
// Thread-safety: wake() and stop() may be called from any thread.
#ifndef GUICHET_HUB_DISPATCH_DISPATCHER_H
#define GUICHET_HUB_DISPATCH_DISPATCHER_H

#include "hub/connectors/registry.h"
#include "hub/dispatch/retry_policy.h"
#include "hub/domain/time.h"
#include "hub/store/store.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace guichet::dispatch {

struct DispatcherOptions {
  int workers = 4;
  int batch = 8;
  int64_t lease_ms = 60000;          // longer than any connector call may take
  int64_t idle_poll_ms = 1000;       // upper bound on sleeping when nothing is due
  int64_t unavailable_delay_ms = 15000;  // wait before trying an instance that is not ready
  RetryPolicy retry;
  std::string name = "hub";          // prefix of the lease owner, to tell hubs apart in the store
};

// Called once per finished attempt: instance, operation, result ("sent", "retry", "failed", ...),
// and how long the connector call took. For metrics; must not block.
using AttemptObserver = std::function<void(const std::string&, const std::string&, const std::string&, int64_t)>;

class Dispatcher {
 public:
  Dispatcher(store::Store& store, connectors::Registry& registry, Clock clock, DispatcherOptions options,
             AttemptObserver observer = {});
  ~Dispatcher();  // stops and joins the workers
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void start();
  // Something was queued: look now instead of at the next poll.
  void wake();
  // Lets the attempts under way finish, then joins. Rows not yet claimed stay for the next start.
  void stop();

 private:
  void run(int worker);
  void process(const store::Delivery& delivery, std::mt19937_64& random);
  void sleep_until_due(uint64_t seen_generation);

  store::Store& store_;
  connectors::Registry& registry_;
  Clock clock_;
  DispatcherOptions options_;
  AttemptObserver observer_;

  std::mutex mutex_;
  std::condition_variable wakeup_;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace guichet::dispatch

#endif
