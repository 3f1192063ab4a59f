// Where a request stands on its path of states. A request moves one state further every `step`
// after its creation, so its whole history follows from its creation time: nothing needs to tick
// for GET or polling answers to be right. A path ending in a question waits there until the
// question is answered; the path after the answer runs from the time of the answer the same way.
// A withdrawal ends the path at once.
#ifndef GUICHET_SIM_COMMON_STATE_CLOCK_HPP
#define GUICHET_SIM_COMMON_STATE_CLOCK_HPP

#include "common/time_format.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace guichet::sim {

struct State {
  std::string status;
  std::string motif;  // empty when the state has none

  bool operator==(const State&) const = default;
};

struct Transition {
  State state;
  TimePoint at;
};

// The states a request goes through and what happened to it, as the agency stores keep it.
struct Track {
  std::vector<State> path;  // never empty; path[0] is the state at creation
  TimePoint created;
  std::optional<Transition> withdrawal;
  std::optional<TimePoint> answered;  // when the question ending `path` was answered
  std::vector<State> after_answer;    // the path from then on; after_answer[0] at `answered`
};

class StateClock {
 public:
  explicit StateClock(std::chrono::milliseconds step) : step_(step) {}

  // Every state `track` has been in up to `now`, oldest first; never empty.
  std::vector<Transition> history(const Track& track, TimePoint now) const;
  Transition current(const Track& track, TimePoint now) const { return history(track, now).back(); }

 private:
  std::chrono::milliseconds step_;
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_STATE_CLOCK_HPP
