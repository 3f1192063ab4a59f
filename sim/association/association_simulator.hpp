// A local association with a small REST API ("Du Côté des Femmes" in the demo): an API key in a
// header, orientations created with an Idempotency-Key and followed by GET. Protocol:
// docs/partners.md, section "The association simulator".
#ifndef GUICHET_SIM_ASSOCIATION_ASSOCIATION_SIMULATOR_HPP
#define GUICHET_SIM_ASSOCIATION_ASSOCIATION_SIMULATOR_HPP

#include "common/case_store.hpp"
#include "common/rest_simulator.hpp"
#include "common/simulator.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace guichet::sim::association {

struct AssociationSettings {
  RestSettings rest;
  std::chrono::milliseconds step{3000};
  std::string api_key = "guichet-api-key";
};

class AssociationSimulator : public Simulator {
 public:
  static constexpr std::uint16_t default_port = 18093;
  static constexpr const char* api_key_header = "X-Api-Key";

  explicit AssociationSimulator(const AssociationSettings& settings);
  ~AssociationSimulator() override;

  void start() override { rest_.start(); }
  void stop() override { rest_.stop(); }
  std::uint16_t port() const override { return rest_.port(); }

 private:
  Response create(const Request& request);
  Response status(const Request& request) const;

  CaseStore orientations_;
  RestSimulator rest_;
};

// guichet-sim association [--port N] [--api-key K] [--step-ms N] [fault flags]
std::unique_ptr<Simulator> make_association_simulator(const std::vector<std::string>& args);

}  // namespace guichet::sim::association

#endif  // GUICHET_SIM_ASSOCIATION_ASSOCIATION_SIMULATOR_HPP
