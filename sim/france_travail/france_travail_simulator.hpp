// France Travail: OAuth2 token endpoint with its realm, user lookup by NIR, and orientations with
// polling by modification date and cancellation. Protocol: docs/agencies.md, "France Travail".
#ifndef GUICHET_SIM_FRANCE_TRAVAIL_FRANCE_TRAVAIL_SIMULATOR_HPP
#define GUICHET_SIM_FRANCE_TRAVAIL_FRANCE_TRAVAIL_SIMULATOR_HPP

#include "common/case_store.hpp"
#include "common/rest_simulator.hpp"
#include "common/simulator.hpp"

#include <chrono>
#include <string>

namespace guichet::sim::france_travail {

struct FranceTravailSettings {
  RestSettings rest;
  std::chrono::milliseconds step{3000};
};

class FranceTravailSimulator : public Simulator {
 public:
  static constexpr std::uint16_t default_port = 18092;
  static constexpr const char* default_scope = "api_rechercher-usagerv1 api_orientationv1";

  explicit FranceTravailSimulator(const FranceTravailSettings& settings);
  ~FranceTravailSimulator() override;

  void start() override { rest_.start(); }
  void stop() override { rest_.stop(); }
  std::uint16_t port() const override { return rest_.port(); }

 private:
  Response token(const Request& request);
  Response find_user(const Request& request) const;
  Response create(const Request& request);
  Response list_changes(const Request& request) const;
  Response cancel(const Request& request);

  CaseStore orientations_;
  RestSimulator rest_;
};

// The opaque user id France Travail answers for a NIR: the same NIR always gives the same id.
std::string user_id_for(const std::string& nir);

}  // namespace guichet::sim::france_travail

#endif  // GUICHET_SIM_FRANCE_TRAVAIL_FRANCE_TRAVAIL_SIMULATOR_HPP
