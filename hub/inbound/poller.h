// Asks each agency that offers it what changed, on the instance's own interval. The cursor a
// connector returns is stored only after the events it covers, so a crash between the two
// replays events (which the monotonic merge absorbs) rather than losing them.
//
// A poll hands the connector the instance's open requests a page at a time (`page` of them per
// call), so that neither the hub nor a connector host ever holds a hundred thousand of them at
// once, and so that an isolated connector's deliveries get their turn between two pages rather than
// wait for a whole round of status reads. Every page of one round is asked from the same cursor, and the cursor stored is the first
// page's answer: a connector that reads a change feed from its cursor (France Travail, Démarches
// Simplifiées) then sees each change with the page holding its request, and nothing that
// happened during the round is skipped at the next (read twice at worst, which moves nothing).
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
  Poller(store::Store& store, connectors::Registry& registry, Clock clock, PollObserver observer = {},
         int page = 100);
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
  const int page_;
  std::map<std::string, int64_t> next_poll_ms_;

  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace guichet::inbound

#endif
