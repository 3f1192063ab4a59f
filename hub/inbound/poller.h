// Asks each agency that offers it what changed, on the instance's own interval. The cursor a
// connector returns is stored only after the events it covers, so a crash between the two
// replays events (which the monotonic merge absorbs) rather than losing them.
#ifndef GUICHET_HUB_INBOUND_POLLER_H
#define GUICHET_HUB_INBOUND_POLLER_H

#include "hub/connectors/registry.h"
#include "hub/domain/time.h"
#include "hub/store/store.h"

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace guichet::inbound {

// Called after each poll: instance, events applied, whether the call succeeded. For metrics.
using PollObserver = std::function<void(const std::string&, int, bool)>;

class Poller {
 public:
  Poller(store::Store& store, connectors::Registry& registry, Clock clock, PollObserver observer = {});
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void start();
  void stop();
  // One round over every instance whose interval has passed; returns when done. For tests and
  // for the first round at start-up.
  void poll_due();
  // Polls one instance now, whatever its interval. Returns the number of events applied.
  int poll(const std::string& instance);

 private:
  void run();

  store::Store& store_;
  connectors::Registry& registry_;
  Clock clock_;
  PollObserver observer_;
  std::map<std::string, int64_t> next_poll_ms_;

  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace guichet::inbound

#endif
