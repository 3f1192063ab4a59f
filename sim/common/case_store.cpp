#include "common/case_store.hpp"

#include <algorithm>

namespace guichet::sim {

CaseStore::CaseStore(StateClock clock, CaseLifecycle lifecycle)
    : clock_(clock), lifecycle_(std::move(lifecycle)) {}

std::string CaseStore::open(const std::function<std::string(int)>& make_id,
                            std::string external_reference, bool ask_question) {
  std::lock_guard lock(mutex_);
  const int sequence = ++opened_;
  const bool questioned = ask_question && !lifecycle_.questioned.empty();
  Case record{make_id(sequence), std::move(external_reference),
              {questioned ? lifecycle_.questioned : sequence % 5 == 0 ? lifecycle_.refused : lifecycle_.accepted,
               now_ms(), std::nullopt, std::nullopt, {}}};
  const std::string id = record.id;
  cases_.emplace(id, std::move(record));
  return id;
}

std::optional<CaseView> CaseStore::find(const std::string& id, TimePoint now) const {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return std::nullopt;
  return CaseView{id, it->second.external_reference, clock_.current(it->second.track, now)};
}

std::optional<CaseView> CaseStore::withdraw(const std::string& id, const std::string& motif,
                                            TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return std::nullopt;
  Track& track = it->second.track;
  if (!track.withdrawal) track.withdrawal = Transition{{lifecycle_.withdrawn, motif}, now};
  return CaseView{id, it->second.external_reference, clock_.current(track, now)};
}

std::optional<bool> CaseStore::answer(const std::string& id, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return std::nullopt;
  Track& track = it->second.track;
  const bool waiting = !lifecycle_.questioned.empty() && track.path == lifecycle_.questioned && !track.answered &&
                       clock_.current(track, now).state.status == lifecycle_.questioned.back().status;
  if (!waiting) return false;
  track.answered = now;
  track.after_answer = lifecycle_.after_answer;
  return true;
}

std::vector<CaseView> CaseStore::changed_since(TimePoint cursor, TimePoint now,
                                               std::size_t limit) const {
  std::vector<CaseView> changed;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, record] : cases_) {
      Transition state = clock_.current(record.track, now);
      if (state.at > cursor) changed.push_back({id, record.external_reference, std::move(state)});
    }
  }
  std::sort(changed.begin(), changed.end(), [](const CaseView& a, const CaseView& b) {
    return a.state.at != b.state.at ? a.state.at < b.state.at : a.id < b.id;
  });
  if (changed.size() > limit) changed.resize(limit);
  return changed;
}

std::vector<CaseView> CaseStore::take_unreported_changes(TimePoint now) {
  std::vector<CaseView> changes;
  std::lock_guard lock(mutex_);
  for (auto& [id, record] : cases_) {
    const std::vector<Transition> history = clock_.history(record.track, now);
    for (std::size_t i = record.reported; i < history.size(); ++i) {
      changes.push_back({id, record.external_reference, history[i]});
    }
    record.reported = std::max(record.reported, history.size());
  }
  return changes;
}

}  // namespace guichet::sim
