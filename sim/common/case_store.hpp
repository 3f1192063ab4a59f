// The requests ("cases") an agency received and where each stands: ids from a sequence, one state
// further every clock step, every 5th case ending refused unless the agency has a question (then
// it stops there until the sender answers it), and withdrawal by the sender.
//
// Thread-safety: all methods may be called concurrently.
#ifndef GUICHET_SIM_COMMON_CASE_STORE_HPP
#define GUICHET_SIM_COMMON_CASE_STORE_HPP

#include "common/state_clock.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace guichet::sim {

struct CaseLifecycle {
  std::vector<State> accepted;  // the path of most cases
  std::vector<State> refused;   // the path of every 5th case
  std::string withdrawn;        // the status a withdrawal ends in
  std::vector<State> questioned;    // ends in the question; empty when the agency never asks
  std::vector<State> after_answer;  // the path once the question is answered
};

struct CaseView {
  std::string id;
  std::string external_reference;
  Transition state;
};

class CaseStore {
 public:
  CaseStore(StateClock clock, CaseLifecycle lifecycle);

  // Opens a case and returns its id, made by `make_id` from the case's sequence number (1, 2, ...).
  // With `ask_question`, it takes the lifecycle's questioned path.
  std::string open(const std::function<std::string(int)>& make_id, std::string external_reference,
                   bool ask_question = false);

  std::optional<CaseView> find(const std::string& id, TimePoint now) const;

  // Ends the case in the withdrawn status; withdrawing it again changes nothing. Empty when the id
  // is unknown.
  std::optional<CaseView> withdraw(const std::string& id, const std::string& motif, TimePoint now);

  // Takes the sender's answer to the question the case waits at. Empty when the id is unknown;
  // false when the case waits for no answer (not questioned, not there yet, answered, withdrawn).
  std::optional<bool> answer(const std::string& id, TimePoint now);

  // Cases whose last change is strictly after `cursor`, oldest change first, at most `limit`.
  std::vector<CaseView> changed_since(TimePoint cursor, TimePoint now, std::size_t limit) const;

  // Every state change not reported yet, oldest first per case; each is returned once.
  std::vector<CaseView> take_unreported_changes(TimePoint now);

 private:
  struct Case {
    std::string id;
    std::string external_reference;
    Track track;
    std::size_t reported = 1;  // the opening state is answered synchronously, not reported
  };

  const StateClock clock_;
  const CaseLifecycle lifecycle_;
  mutable std::mutex mutex_;
  int opened_ = 0;
  std::map<std::string, Case> cases_;
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_CASE_STORE_HPP
