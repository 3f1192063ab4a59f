// Démarches Simplifiées: the public prefill API (no authentication), the GraphQL API v2 (an
// administrator token), dossiers moving along their states, and, when asked, DS's webhook: an
// unsigned form-encoded POST on every state change, tried once. A fault knob makes the GraphQL API
// answer with a root "timeout" error carrying partial data, as DS does after 10 s on a node.
// Protocol: docs/partners.md, section "The Démarches Simplifiées simulator".
#ifndef GUICHET_SIM_DEMARCHES_SIMPLIFIEES_SIMULATOR_HPP
#define GUICHET_SIM_DEMARCHES_SIMPLIFIEES_SIMULATOR_HPP

#include "common/periodic_task.hpp"
#include "common/rest_simulator.hpp"
#include "common/simulator.hpp"
#include "demarches_simplifiees/dossier_store.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace guichet::sim::demarches_simplifiees {

struct DsSettings {
  RestSettings rest;
  std::chrono::milliseconds step{3000};
  std::string token = "guichet-ds-token";
  std::string webhook_url;    // no webhook when empty
  double timeout_rate = 0;    // share of GraphQL queries answered with a root timeout error
};

class DsSimulator : public Simulator {
 public:
  static constexpr std::uint16_t default_port = 18094;

  explicit DsSimulator(const DsSettings& settings);
  ~DsSimulator() override;

  void start() override;
  void stop() override;
  std::uint16_t port() const override { return rest_.port(); }

 private:
  Response prefill(const Request& request);
  Response graphql(const Request& request);
  Response configure(const Request& request);
  bool timeout_now();
  void notify_changes();

  const DsSettings settings_;
  DossierStore dossiers_;
  std::mutex random_mutex_;
  double timeout_rate_;
  std::mt19937_64 random_{std::random_device{}()};
  RestSimulator rest_;
  std::unique_ptr<PeriodicTask> notifier_;
};

// guichet-sim demarches_simplifiees [--port N] [--token T] [--step-ms N] [--webhook-url URL]
//                                   [--timeout-rate R] [fault flags]
std::unique_ptr<Simulator> make_demarches_simplifiees_simulator(const std::vector<std::string>& args);

}  // namespace guichet::sim::demarches_simplifiees

#endif
