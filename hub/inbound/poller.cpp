#include "hub/inbound/poller.h"

#include "hub/connectors/errors.h"
#include "hub/inbound/agency_events.h"

#include <Poco/Logger.h>

namespace guichet::inbound {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("poller"); }

}  // namespace

Poller::Poller(store::Store& store, connectors::Registry& registry, Clock clock, PollObserver observer, int page)
    : store_(store), registry_(registry), clock_(std::move(clock)), observer_(std::move(observer)), page_(page) {}

Poller::~Poller() { stop(); }

void Poller::start() {
  std::lock_guard lock(mutex_);
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Poller::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Poller::run() {
  while (true) {
    poll_due();
    std::unique_lock lock(mutex_);
    if (wakeup_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; })) return;
  }
}

void Poller::poll_due() {
  int64_t now = clock_();
  for (const auto& report : registry_.instances()) {
    if (report.state != connectors::InstanceState::ready) continue;
    auto instance = registry_.find(report.instance);
    if (!instance || !instance->has_capability("poll")) continue;
    int64_t& due = next_poll_ms_[report.instance];
    if (now < due) continue;
    due = now + std::max(1, instance->config().poll_interval_s) * int64_t{1000};
    poll(report.instance);
  }
}

int Poller::poll(const std::string& name) {
  auto instance = registry_.find(name);
  if (!instance) return 0;
  try {
    auto stored = store_.cursor(name);
    nlohmann::json cursor = stored ? nlohmann::json::parse(*stored, nullptr, false) : nlohmann::json(nullptr);
    if (cursor.is_discarded()) cursor = nullptr;
    nlohmann::json next_cursor;
    int applied = 0;
    for (std::string after;;) {
      auto open = store_.open_requests(name, after, page_);
      if (open.empty() && after.empty()) return 0;  // nothing the agency could tell us about
      if (open.empty()) break;
      nlohmann::json listed = nlohmann::json::array();
      for (const auto& r : open) {
        listed.push_back({{"request_id", r.request_id}, {"agency_reference", r.agency_reference}, {"state", r.state}});
      }
      nlohmann::json answer = instance->poll({{"cursor", cursor}, {"open", std::move(listed)}});
      applied += apply_events(store_, name, answer.value("events", nlohmann::json::array()), "poll", clock_()).applied;
      if (after.empty()) next_cursor = answer.value("cursor", nlohmann::json());
      bool reads_open = !answer.contains("reads_open") || answer["reads_open"] != false;
      if (!reads_open || static_cast<int>(open.size()) < page_) break;
      after = open.back().request_id;
    }
    if (!next_cursor.is_null()) store_.set_cursor(name, next_cursor.dump());
    if (applied) logger().information("%s: %d agency events applied", name, applied);
    if (observer_) observer_(name, applied, true);
    return applied;
  } catch (const std::exception& e) {
    // A failed poll is retried at the next interval; the cursor did not move.
    logger().warning("%s: poll failed: %s", name, std::string(e.what()));
    if (observer_) observer_(name, 0, false);
    return 0;
  }
}

}  // namespace guichet::inbound
