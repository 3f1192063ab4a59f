// Delivers the outbox: worker threads claim due rows under a lease, hand each to its connector,
// and record the outcome. Because a row leaves the outbox only in the same transaction that
// records its outcome, a hub killed at any moment redelivers what it had not recorded, with the
// same idempotency key, once the lease has passed.
//
// The intake may spare the claim: it asks for a lease (lease_for), writes its case's rows already
// leased in its own transaction, and hands their deliveries over with the person it holds in
// clear (hand_over), so that no worker reads the person back and opens it again. Workers take what
// was handed over before they claim; a hub killed with deliveries in hand redelivers them after the
// lease, like any claimed row.
//
// Thread-safety: wake() and stop() may be called from any thread.
#ifndef GUICHET_HUB_DISPATCH_DISPATCHER_H
#define GUICHET_HUB_DISPATCH_DISPATCHER_H

#include "hub/connectors/registry.h"
#include "hub/dispatch/circuit_breaker.h"
#include "hub/dispatch/retry_policy.h"
#include "hub/domain/time.h"
#include "hub/privacy/vault.h"
#include "hub/store/store.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace guichet::dispatch {

struct DispatcherOptions {
  int workers = 4;
  int batch = 32;                    // rows a worker claims, calls and records at once
  // At least twice the longest connector call: no call of a batch starts after half the lease.
  int64_t lease_ms = 60000;
  int64_t record_within_ms = 50;     // longest an outcome waits for its batch's to be recorded
  int64_t idle_poll_ms = 1000;       // upper bound on sleeping when nothing is due
  int64_t unavailable_delay_ms = 15000;  // wait before trying an instance that is not ready
  size_t handover_rows = 4096;       // deliveries handed over and not yet taken, at most
  RetryPolicy retry;
  BreakerOptions breaker;            // per instance: see circuit_breaker.h
  std::string name = "hub";          // prefix of the lease owner, to tell hubs apart in the store
};

// Called once per finished attempt: instance, operation, result ("sent", "retry", "failed", ...),
// and how long the connector call took. For metrics; must not block.
using AttemptObserver = std::function<void(const std::string&, const std::string&, const std::string&, int64_t)>;

class Dispatcher {
 public:
  // Reads each instance's own "retry" policy (department file) over options.retry; throws
  // std::invalid_argument naming the instance for one out of range.
  Dispatcher(store::Store& store, privacy::Vault& vault, connectors::Registry& registry, Clock clock,
             DispatcherOptions options, AttemptObserver observer = {});
  ~Dispatcher();  // stops and joins the workers
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void start();
  // Something was queued: look now instead of at the next poll.
  void wake();
  // Lets the attempts under way finish, then joins. Rows not yet claimed stay for the next start.
  void stop();

  // Each instance's circuit breaker state, by instance name (instances not called yet are closed).
  std::map<std::string, CircuitBreaker::State> breaker_states() const;

  // A lease for `rows` deliveries about to be written, or nothing when the workers already have
  // enough in hand (the rows are then written free, for a claim). Each lease is followed by
  // hand_over, or by unlease when its transaction did not commit.
  std::optional<store::Lease> lease_for(size_t rows);
  void unlease(size_t rows);
  // The deliveries a committed intake leased, with the person they are about, in clear.
  void hand_over(std::vector<store::Delivery> deliveries, store::PersonRecord person);

 private:
  // One claimed row after its turn: how to record it, and the attempt to report once it is.
  struct Turn {
    store::Settlement settlement;
    std::string result;  // of the connector call; empty when no connector was called
    int64_t took_ms = 0;
  };
  // A delivery to make, claimed (no person: it is read and opened) or handed over (with it).
  struct Work {
    store::Delivery delivery;
    std::shared_ptr<const store::PersonRecord> person;
  };

  void run(int worker);
  // Up to `batch` handed-over deliveries of one instance, the one handed over first, still leased
  // to the intake; nothing when none waits.
  std::vector<Work> take_handed_over();
  // Calls each connector and records the outcomes; `leased_at` is when the batch's lease began.
  void work_through(const std::vector<Work>& batch, int64_t leased_at, std::mt19937_64& random);
  void release_handed_over();
  std::string intake_owner() const { return options_.name + "/intake"; }
  Turn process(const Work& work, std::mt19937_64& random);
  void record(const std::vector<Turn>& turns);
  void sleep_until_due(uint64_t seen_generation);
  const RetryPolicy& retry_policy(const std::string& instance) const;
  CircuitBreaker& breaker_for(const std::string& instance);

  store::Store& store_;
  privacy::Vault& vault_;
  connectors::Registry& registry_;
  Clock clock_;
  DispatcherOptions options_;
  AttemptObserver observer_;
  std::map<std::string, RetryPolicy> retry_by_instance_;  // instances with a policy of their own
  mutable std::mutex breakers_mutex_;
  std::map<std::string, std::unique_ptr<CircuitBreaker>> breakers_;  // made at an instance's first call

  std::mutex mutex_;
  std::condition_variable wakeup_;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::map<std::string, std::deque<Work>> handed_over_;  // by instance, oldest first
  size_t handed_over_rows_ = 0;                          // leased, handed over or about to be
  std::vector<std::thread> threads_;
};

}  // namespace guichet::dispatch

#endif
