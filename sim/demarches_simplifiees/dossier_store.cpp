#include "demarches_simplifiees/dossier_store.hpp"

#include <Poco/Base64Encoder.h>

#include <algorithm>
#include <sstream>

namespace guichet::sim::demarches_simplifiees {
namespace {

constexpr int kFirstNumber = 1001;

std::vector<State> path_for(int sequence) {
  std::vector<State> path = {{"en_construction", ""}, {"en_instruction", ""}};
  if (sequence % 5 == 0) {
    path.push_back({"refuse", "Les conditions d'accès au service ne sont pas remplies"});
  } else if (sequence % 7 == 0) {
    path.push_back({"sans_suite", "Dossier classé sans suite : la personne n'a pas pu être jointe"});
  } else {
    path.push_back({"accepte", ""});
  }
  return path;
}

std::string technical_id(int number) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder << "Dossier-" << number;
  encoder.close();
  return out.str();
}

}  // namespace

DossierView DossierStore::open(int demarche) {
  std::lock_guard lock(mutex_);
  const int sequence = static_cast<int>(dossiers_.size()) + 1;
  const int number = kFirstNumber + sequence - 1;
  Dossier& dossier = dossiers_[number];
  dossier.demarche = demarche;
  dossier.track = {path_for(sequence), now_ms(), std::nullopt, std::nullopt, {}};
  return {number, demarche, technical_id(number), clock_.current(dossier.track, dossier.track.created)};
}

std::vector<DossierView> DossierStore::changed_since(int demarche, TimePoint since, TimePoint now) const {
  std::vector<DossierView> changed;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [number, dossier] : dossiers_) {
      if (dossier.demarche != demarche) continue;
      Transition state = clock_.current(dossier.track, now);
      if (state.at >= since) changed.push_back({number, demarche, technical_id(number), std::move(state)});
    }
  }
  std::sort(changed.begin(), changed.end(), [](const DossierView& a, const DossierView& b) {
    return a.state.at != b.state.at ? a.state.at < b.state.at : a.number < b.number;
  });
  return changed;
}

std::vector<DossierView> DossierStore::take_unreported_changes(TimePoint now) {
  std::vector<DossierView> changes;
  std::lock_guard lock(mutex_);
  for (auto& [number, dossier] : dossiers_) {
    const std::vector<Transition> history = clock_.history(dossier.track, now);
    for (std::size_t i = dossier.reported; i < history.size(); ++i) {
      changes.push_back({number, dossier.demarche, technical_id(number), history[i]});
    }
    dossier.reported = std::max(dossier.reported, history.size());
  }
  return changes;
}

}  // namespace guichet::sim::demarches_simplifiees
