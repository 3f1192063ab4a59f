// The dossiers of the simulated Démarches Simplifiées: numbered from 1001, each moving one state
// further every clock step from en_construction (a prefilled dossier is taken as deposited at
// once), through en_instruction, to accepte; every 5th ends refuse and every 7th sans_suite, both
// with a motivation.
//
// Thread-safety: all methods may be called concurrently.
#ifndef GUICHET_SIM_DEMARCHES_SIMPLIFIEES_DOSSIER_STORE_HPP
#define GUICHET_SIM_DEMARCHES_SIMPLIFIEES_DOSSIER_STORE_HPP

#include "common/state_clock.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace guichet::sim::demarches_simplifiees {

struct DossierView {
  int number = 0;
  int demarche = 0;
  std::string id;  // DS's technical id: base64 of "Dossier-<number>"
  Transition state;
};

class DossierStore {
 public:
  explicit DossierStore(StateClock clock) : clock_(clock) {}

  DossierView open(int demarche);

  // The démarche's dossiers whose last change is at or after `since`, oldest change first.
  std::vector<DossierView> changed_since(int demarche, TimePoint since, TimePoint now) const;

  // Every state change not reported yet, oldest first per dossier; each is returned once.
  std::vector<DossierView> take_unreported_changes(TimePoint now);

 private:
  struct Dossier {
    int demarche = 0;
    Track track;
    std::size_t reported = 1;  // the opening state is answered synchronously, not reported
  };

  const StateClock clock_;
  mutable std::mutex mutex_;
  std::map<int, Dossier> dossiers_;  // by number
};

}  // namespace guichet::sim::demarches_simplifiees

#endif
