#include "hub/dispatch/dispatcher.h"

#include "hub/connectors/errors.h"
#include "hub/dispatch/dispatch_message.h"
#include "hub/dispatch/outcome.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>

namespace guichet::dispatch {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("dispatch"); }

privacy::FieldPolicy policy_of(const connectors::Manifest& manifest) {
  return {manifest.person_fields, manifest.situation_fields, manifest.shared_with_household};
}

}  // namespace

Dispatcher::Dispatcher(store::Store& store, connectors::Registry& registry, Clock clock, DispatcherOptions options,
                       AttemptObserver observer)
    : store_(store), registry_(registry), clock_(std::move(clock)), options_(std::move(options)),
      observer_(std::move(observer)) {}

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
    if (auto due = store_.next_due_ms()) wait = std::clamp<int64_t>(*due - clock_(), 1, options_.idle_poll_ms);
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
    for (const auto& delivery : batch) {
      try {
        process(delivery, random);
      } catch (const std::exception& e) {
        // The row keeps its lease and comes back when it expires: nothing is lost.
        logger().error("request %s: recording the outcome failed: %s", delivery.request.id, std::string(e.what()));
      }
    }
  }
}

void Dispatcher::process(const store::Delivery& d, std::mt19937_64& random) {
  const std::string& name = d.request.instance;
  auto instance = registry_.find(name);
  auto state = instance ? registry_.state(name) : connectors::InstanceState::rejected;
  if (!instance || state != connectors::InstanceState::ready) {
    // The instance cannot be called: wait for it without spending the request's attempts.
    store::Transition waiting;
    waiting.retrying = true;
    waiting.message = std::string("connecteur indisponible (") + connectors::to_string(state) + ")";
    store_.reschedule(d, clock_() + options_.unavailable_delay_ms, waiting, false);
    return;
  }
  auto person = store_.find_person(d.request.case_id);
  if (!person) {
    store_.complete(d, {});  // the case was erased meanwhile: nothing may leave any more
    return;
  }
  if (d.operation == "withdraw" && !instance->has_capability("withdraw")) {
    store::Transition note;
    note.message = "retrait à signaler à l'agence directement : pas de retrait en ligne";
    store_.complete(d, note);
    return;
  }

  DispatchMessage message = build_dispatch(d, *person, policy_of(instance->manifest()));
  auto started = std::chrono::steady_clock::now();
  Decision decision;
  try {
    nlohmann::json outcome = d.operation == "withdraw" ? instance->withdraw(message.json)
                                                       : instance->deliver(message.json);
    decision = decide(d, outcome, clock_(), options_.retry, random);
  } catch (const connectors::CallError& e) {
    decision = decide_failure(d, "erreur du connecteur", e.transient(), clock_(), options_.retry, random);
  }
  int64_t took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  decision.transition.disclosed = message.disclosed;

  if (decision.degrade_instance) {
    registry_.set_state(name, connectors::InstanceState::degraded, *decision.degrade_instance);
    logger().warning("instance %s degraded by a configuration error", name);
  }
  if (decision.done) {
    store_.complete(d, decision.transition);
  } else {
    store_.reschedule(d, decision.next_attempt_ms, decision.transition);
  }
  std::string result = decision.done ? (decision.transition.entries.empty() ? "done" : decision.transition.entries.back().state)
                                     : "retry";
  logger().information("request %s %s via %s attempt %d: %s", d.request.id, d.operation, name, d.attempts, result);
  if (observer_) observer_(name, d.operation, result, took_ms);
}

}  // namespace guichet::dispatch
