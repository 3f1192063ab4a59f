// The CAF: OAuth2 token endpoint, AUU requests ("demandes") with status, withdrawal and the answer
// to a missing piece ("complements"), and signed webhooks on every state change. Protocol: docs/agencies.md, section "CAF".
#ifndef GUICHET_SIM_CAF_CAF_SIMULATOR_HPP
#define GUICHET_SIM_CAF_CAF_SIMULATOR_HPP

#include "common/case_store.hpp"
#include "common/periodic_task.hpp"
#include "common/rest_simulator.hpp"
#include "common/simulator.hpp"
#include "common/webhook_sender.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace guichet::sim::caf {

struct CafSettings {
  RestSettings rest;
  std::chrono::milliseconds step{3000};
  std::string webhook_url;  // no webhooks when empty
  std::string webhook_secret;
};

class CafSimulator : public Simulator {
 public:
  static constexpr std::uint16_t default_port = 18091;
  static constexpr const char* default_scope = "auu.demandes";

  explicit CafSimulator(const CafSettings& settings);
  ~CafSimulator() override;

  void start() override;
  void stop() override;
  std::uint16_t port() const override { return rest_.port(); }

 private:
  Response create(const Request& request);
  Response status(const Request& request) const;
  Response withdraw(const Request& request);
  // The référent's answer to piece_manquante: the demande goes back to en_instruction.
  Response complete(const Request& request);
  void notify_changes();

  const CafSettings settings_;
  CaseStore demandes_;
  RestSimulator rest_;
  std::unique_ptr<WebhookSender> webhook_;
  std::unique_ptr<PeriodicTask> notifier_;
};

}  // namespace guichet::sim::caf

#endif  // GUICHET_SIM_CAF_CAF_SIMULATOR_HPP
