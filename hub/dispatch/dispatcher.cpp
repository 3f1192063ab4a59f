#include "hub/dispatch/dispatcher.h"

#include "hub/connectors/errors.h"
#include "hub/dispatch/dispatch_message.h"
#include "hub/dispatch/outcome.h"
#include "hub/domain/request_state.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace guichet::dispatch {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("dispatch"); }

// The fields this instance receives: its manifest's, narrowed by its department's declaration.
privacy::FieldPolicy policy_of(const connectors::Instance& instance) {
  return {instance.fields().person, instance.fields().situation, instance.manifest().shared_with_household};
}

}  // namespace

Dispatcher::Dispatcher(store::Store& store, privacy::Vault& vault, connectors::Registry& registry, Clock clock,
                       DispatcherOptions options, AttemptObserver observer)
    : store_(store), vault_(vault), registry_(registry), clock_(std::move(clock)), options_(std::move(options)),
      observer_(std::move(observer)) {
  for (const auto& report : registry_.instances()) {
    const connectors::InstanceConfig* config = registry_.config(report.instance);
    if (!config || config->retry.is_null()) continue;
    try {
      retry_by_instance_[report.instance] = RetryPolicy::from_json(config->retry, options_.retry);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(config->file + ": instance " + report.instance + ": retry: " + e.what());
    }
  }
}

CircuitBreaker& Dispatcher::breaker_for(const std::string& instance) {
  std::lock_guard lock(breakers_mutex_);
  auto& breaker = breakers_[instance];
  if (!breaker) breaker = std::make_unique<CircuitBreaker>(options_.breaker);
  return *breaker;
}

std::map<std::string, CircuitBreaker::State> Dispatcher::breaker_states() const {
  std::lock_guard lock(breakers_mutex_);
  std::map<std::string, CircuitBreaker::State> states;
  for (const auto& [instance, breaker] : breakers_) states[instance] = breaker->state();
  return states;
}

const RetryPolicy& Dispatcher::retry_policy(const std::string& instance) const {
  auto it = retry_by_instance_.find(instance);
  return it == retry_by_instance_.end() ? options_.retry : it->second;
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() {
  std::lock_guard lock(mutex_);
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this, i] { run(i); });
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  wakeup_.notify_all();
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  release_handed_over();
}

// What was handed over and not delivered goes back to the outbox free, unattempted, rather than
// wait out its lease: the next start (or another hub) takes it at once.
void Dispatcher::release_handed_over() {
  std::vector<store::Settlement> released;
  {
    std::lock_guard lock(mutex_);
    for (auto& [instance, queue] : handed_over_) {
      for (Work& work : queue) {
        store::Transition unchanged;
        released.push_back(store::Settlement::due_again(work.delivery, unchanged, clock_(), false));
      }
    }
    handed_over_.clear();
  }
  if (released.empty()) return;
  try {
    store_.settle(released);
  } catch (const std::exception& e) {
    logger().warning("%z handed-over deliveries wait for their lease to end: %s", released.size(), std::string(e.what()));
  }
}

std::optional<store::Lease> Dispatcher::lease_for(size_t rows) {
  std::lock_guard lock(mutex_);
  if (stopping_ || handed_over_rows_ + rows > options_.handover_rows) return std::nullopt;
  handed_over_rows_ += rows;
  return store::Lease{intake_owner(), clock_() + options_.lease_ms};
}

void Dispatcher::unlease(size_t rows) {
  std::lock_guard lock(mutex_);
  handed_over_rows_ -= std::min(rows, handed_over_rows_);
}

void Dispatcher::hand_over(std::vector<store::Delivery> deliveries, store::PersonRecord person) {
  auto shared = std::make_shared<const store::PersonRecord>(std::move(person));
  bool stopped;
  {
    std::lock_guard lock(mutex_);
    stopped = stopping_;
    for (auto& delivery : deliveries) {
      std::string instance = delivery.request.instance;
      handed_over_[instance].push_back({std::move(delivery), shared});
    }
    ++generation_;
  }
  wakeup_.notify_all();
  // An intake that ends while the workers stop: what it hands over goes back to the outbox.
  if (stopped) release_handed_over();
}

std::vector<Dispatcher::Work> Dispatcher::take_handed_over() {
  std::lock_guard lock(mutex_);
  auto oldest = handed_over_.end();
  for (auto it = handed_over_.begin(); it != handed_over_.end(); ++it) {
    if (it->second.empty()) continue;
    if (oldest == handed_over_.end() ||
        it->second.front().delivery.first_queued_ms < oldest->second.front().delivery.first_queued_ms) {
      oldest = it;
    }
  }
  std::vector<Work> batch;
  if (oldest == handed_over_.end()) return batch;
  auto& queue = oldest->second;
  while (!queue.empty() && static_cast<int>(batch.size()) < options_.batch) {
    batch.push_back(std::move(queue.front()));
    queue.pop_front();
  }
  handed_over_rows_ -= std::min(batch.size(), handed_over_rows_);
  return batch;
}

void Dispatcher::sleep_until_due(uint64_t seen_generation) {
  int64_t wait = options_.idle_poll_ms;
  try {
    // A row due already that the claim left is a frozen case's or waits behind an older row of its
    // request: neither is worth polling for; wake() or the idle pace finds it.
    auto due = store_.next_due_ms();
    int64_t now = clock_();
    if (due && *due > now) wait = std::min(*due - now, options_.idle_poll_ms);
  } catch (const store::StoreUnavailable&) {
    // Storage is failing: poll at the idle pace until it comes back.
  }
  std::unique_lock lock(mutex_);
  wakeup_.wait_for(lock, std::chrono::milliseconds(wait),
                   [&] { return stopping_ || generation_ != seen_generation; });
}

void Dispatcher::run(int worker) {
  std::string owner = options_.name + "/" + std::to_string(worker);
  std::mt19937_64 random(std::random_device{}());
  while (true) {
    uint64_t generation;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      generation = generation_;
    }
    if (std::vector<Work> handed = take_handed_over(); !handed.empty()) {
      // Erased or frozen since the intake, or taken over by another worker after the lease: not ours.
      std::vector<int64_t> ids;
      for (const Work& work : handed) ids.push_back(work.delivery.outbox_id);
      std::set<int64_t> kept;
      try {
        for (int64_t id : store_.still_leased(intake_owner(), ids)) kept.insert(id);
      } catch (const std::exception& e) {
        // The rows keep their lease and come back when it ends: nothing is lost.
        logger().error("checking handed-over deliveries failed: %s", std::string(e.what()));
      }
      std::vector<Work> batch;
      int64_t leased_at = clock_();
      for (Work& work : handed) {
        if (!kept.count(work.delivery.outbox_id)) continue;
        leased_at = std::min(leased_at, work.delivery.first_queued_ms);
        batch.push_back(std::move(work));
      }
      if (logger().debug()) logger().debug("%s took %z handed-over row(s)", owner, batch.size());
      work_through(batch, leased_at, random);
      continue;
    }
    std::vector<store::Delivery> claimed;
    try {
      claimed = store_.claim(owner, clock_(), options_.lease_ms, options_.batch);
    } catch (const std::exception& e) {
      logger().error("claim failed: %s", std::string(e.what()));
    }
    if (claimed.empty()) {
      sleep_until_due(generation);
      continue;
    }
    if (logger().debug()) logger().debug("%s claimed %z row(s)", owner, claimed.size());
    std::vector<Work> batch;
    for (auto& delivery : claimed) batch.push_back({std::move(delivery), nullptr});
    work_through(batch, clock_(), random);
  }
}

void Dispatcher::work_through(const std::vector<Work>& batch, int64_t leased_at, std::mt19937_64& random) {
  // Outcomes are recorded together, one transaction per batch, unless a slow call holds them:
  // then they are recorded as soon as it ends, since the agency already has what they record.
  std::vector<Turn> turns;
  int64_t recorded_at = clock_();
  for (const Work& work : batch) {
    const store::Delivery& delivery = work.delivery;
    if (clock_() - leased_at > options_.lease_ms / 2) {
      // A call started now might outlive the lease and run beside another worker's: release the
      // row, unattempted, to be claimed afresh.
      store::Transition unchanged;
      unchanged.retrying = delivery.request.retrying;
      turns.push_back(Turn{store::Settlement::due_again(delivery, unchanged, clock_(), false), "", 0});
      continue;
    }
    try {
      turns.push_back(process(work, random));
    } catch (const std::exception& e) {
      // The row keeps its lease and comes back when it expires: nothing is lost.
      logger().error("request %s: dispatch failed: %s", delivery.request.id, std::string(e.what()));
    }
    if (clock_() - recorded_at >= options_.record_within_ms) {
      record(turns);
      turns.clear();
      recorded_at = clock_();
    }
  }
  record(turns);
}

void Dispatcher::record(const std::vector<Turn>& turns) {
  if (turns.empty()) return;
  std::vector<store::Settlement> settlements;
  for (const Turn& turn : turns) settlements.push_back(turn.settlement);
  std::vector<bool> recorded(turns.size(), true);
  try {
    store_.settle(settlements);
  } catch (const std::exception&) {
    // One row the store refuses must not hold back the others: record them one by one.
    for (size_t i = 0; i < turns.size(); ++i) {
      try {
        store_.settle({settlements[i]});
      } catch (const std::exception& e) {
        // The row keeps its lease and comes back when it expires: nothing is lost.
        recorded[i] = false;
        logger().error("request %s: recording the outcome failed: %s", turns[i].settlement.delivery.request.id,
                       std::string(e.what()));
      }
    }
  }
  for (size_t i = 0; i < turns.size(); ++i) {
    const Turn& turn = turns[i];
    if (!recorded[i] || turn.result.empty()) continue;
    const store::Delivery& d = turn.settlement.delivery;
    logger().information("request %s %s via %s attempt %d: %s", d.request.id, d.operation, d.request.instance,
                         d.attempts, turn.result);
    if (observer_) observer_(d.request.instance, d.operation, turn.result, turn.took_ms);
  }
}

Dispatcher::Turn Dispatcher::process(const Work& work, std::mt19937_64& random) {
  const store::Delivery& d = work.delivery;
  const std::string& name = d.request.instance;
  auto instance = registry_.find(name);
  auto state = instance ? registry_.state(name) : connectors::InstanceState::rejected;
  if (!instance || state != connectors::InstanceState::ready) {
    // The instance cannot be called: wait for it without spending the request's attempts.
    store::Transition waiting;
    waiting.retrying = true;
    waiting.message = std::string("connecteur indisponible (") + connectors::to_string(state) + ")";
    return {store::Settlement::due_again(d, waiting, clock_() + options_.unavailable_delay_ms, false), "", 0};
  }
  std::optional<store::PersonRecord> person;
  if (work.person) {
    person = *work.person;
  } else if (auto sealed = store_.find_person(d.request.case_id)) {
    person = vault_.open(d.request.case_id, *sealed);
  }
  if (!person) {
    return {store::Settlement::done(d, {}), "", 0};  // the case was erased meanwhile: nothing may leave any more
  }
  if (d.operation == "withdraw" && !instance->has_capability("withdraw")) {
    store::Transition note;
    note.message = "retrait à signaler à l'agence directement : pas de retrait en ligne";
    return {store::Settlement::done(d, note), "", 0};
  }
  std::optional<std::string> answer;
  if (d.operation == "answer") {
    auto state = parse_request_state(d.request.state);
    // Withdrawn or settled meanwhile: the agency no longer waits for it.
    if (!state || is_terminal(*state)) return {store::Settlement::done(d, {}), "", 0};
    if (!instance->has_capability("answer")) {
      store::Transition back;
      back.entries.push_back({"info_requested", format_time(clock_()), "dispatch", ""});
      back.message = "réponse à transmettre à l'organisme directement : pas de réponse en ligne";
      return {store::Settlement::done(d, back), "", 0};
    }
    answer = vault_.open_text(d.request.case_id, d.reason, privacy::answer_context(d.idempotency_key));
    if (!answer) return {store::Settlement::done(d, {}), "", 0};  // the case was erased meanwhile
  }

  CircuitBreaker& breaker = breaker_for(name);
  if (!breaker.allow(clock_())) {
    // The agency keeps failing: leave it alone for a while, without spending the request's attempts.
    store::Transition waiting;
    waiting.retrying = true;
    waiting.message = "agence indisponible : envois suspendus quelques instants";
    return {store::Settlement::due_again(d, waiting, breaker.retry_at_ms(clock_()), false), "", 0};
  }

  DispatchMessage message = build_dispatch(d, *person, policy_of(*instance), answer);
  auto started = std::chrono::steady_clock::now();
  Decision decision;
  const RetryPolicy& policy = retry_policy(name);
  try {
    nlohmann::json outcome = d.operation == "withdraw" ? instance->withdraw(message.json)
                             : d.operation == "answer" ? instance->answer(message.json)
                                                       : instance->deliver(message.json);
    decision = decide(d, outcome, clock_(), policy, random);
  } catch (const connectors::HostCrashed& e) {
    // A poison input is set aside with the reason; any other crash is retried like a transient error.
    std::string why = e.poison ? e.what() : "le connecteur s'est arrêté";
    decision = decide_failure(d, why, e.transient(), clock_(), policy, random);
  } catch (const connectors::CallError& e) {
    decision = decide_failure(d, "erreur du connecteur", e.transient(), clock_(), policy, random);
  }
  breaker.record(clock_(), !decision.done);
  int64_t took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  decision.transition.disclosed = message.disclosed;

  if (decision.degrade_instance) {
    registry_.set_state(name, connectors::InstanceState::degraded, *decision.degrade_instance);
    logger().warning("instance %s degraded by a configuration error", name);
  }
  std::string result = decision.done ? (decision.transition.entries.empty() ? "done" : decision.transition.entries.back().state)
                                     : "retry";
  auto settlement = decision.done ? store::Settlement::done(d, std::move(decision.transition))
                                  : store::Settlement::due_again(d, std::move(decision.transition), decision.next_attempt_ms);
  return {std::move(settlement), result, took_ms};
}

}  // namespace guichet::dispatch
