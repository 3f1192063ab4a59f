#include "common/state_clock.hpp"

namespace guichet::sim {

std::vector<Transition> StateClock::history(const Track& track, TimePoint now) const {
  std::vector<Transition> steps{{track.path.front(), track.created}};
  auto walk = [&](const std::vector<State>& path, std::size_t first, TimePoint start) {
    for (std::size_t i = first; i < path.size(); ++i) {
      const TimePoint at = start + step_ * static_cast<long>(i);
      if (at > now || (track.withdrawal && at > track.withdrawal->at)) return;
      steps.push_back({path[i], at});
    }
  };
  walk(track.path, 1, track.created);
  if (track.answered && steps.back().state.status == track.path.back().status) {
    walk(track.after_answer, 0, *track.answered);
  }
  if (track.withdrawal && track.withdrawal->at <= now) steps.push_back(*track.withdrawal);
  return steps;
}

}  // namespace guichet::sim
