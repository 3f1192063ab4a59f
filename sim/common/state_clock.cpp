#include "common/state_clock.hpp"

namespace guichet::sim {

std::vector<Transition> StateClock::history(const Track& track, TimePoint now) const {
  std::vector<Transition> steps{{track.path.front(), track.created}};
  for (std::size_t i = 1; i < track.path.size(); ++i) {
    const TimePoint at = track.created + step_ * static_cast<long>(i);
    if (at > now || (track.withdrawal && at > track.withdrawal->at)) break;
    steps.push_back({track.path[i], at});
  }
  if (track.withdrawal && track.withdrawal->at <= now) steps.push_back(*track.withdrawal);
  return steps;
}

}  // namespace guichet::sim
