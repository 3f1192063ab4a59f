#include "hub/dispatch/dispatcher.h"

#include "hub/connectors/errors.h"
#include "hub/dispatch/dispatch_message.h"
#include "hub/dispatch/outcome.h"
#include "hub/domain/request_state.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>

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
    std::vector<store::Delivery> batch;
    try {
      batch = store_.claim(owner, clock_(), options_.lease_ms, options_.batch);
    } catch (const std::exception& e) {
      logger().error("claim failed: %s", std::string(e.what()));
    }
    if (batch.empty()) {
      sleep_until_due(generation);
      continue;
    }
    if (logger().debug()) logger().debug("%s claimed %z row(s)", owner, batch.size());
    // Outcomes are recorded together, one transaction per batch, unless a slow call holds them:
    // then they are recorded as soon as it ends, since the agency already has what they record.
    std::vector<Turn> turns;
    int64_t claimed_at = clock_(), recorded_at = claimed_at;
    for (const auto& delivery : batch) {
      if (clock_() - claimed_at > options_.lease_ms / 2) {
        // A call started now might outlive the lease and run beside another worker's: release the
        // row, unattempted, to be claimed afresh.
        store::Transition unchanged;
        unchanged.retrying = delivery.request.retrying;
        turns.push_back(Turn{store::Settlement::due_again(delivery, unchanged, clock_(), false), "", 0});
        continue;
      }
      try {
        turns.push_back(process(delivery, random));
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

Dispatcher::Turn Dispatcher::process(const store::Delivery& d, std::mt19937_64& random) {
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
  auto sealed = store_.find_person(d.request.case_id);
  auto person = sealed ? vault_.open(d.request.case_id, *sealed) : std::nullopt;
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
