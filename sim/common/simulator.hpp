// What main() needs from an agency simulator.
#ifndef GUICHET_SIM_COMMON_SIMULATOR_HPP
#define GUICHET_SIM_COMMON_SIMULATOR_HPP

#include <cstdint>
#include <string>

namespace guichet::sim {

class Simulator {
 public:
  virtual ~Simulator() = default;
  virtual void start() = 0;
  // Stops answering and ends background work; safe to call twice.
  virtual void stop() = 0;
  virtual std::uint16_t port() const = 0;
  // What main() prints once started, after "guichet-sim <agency> ".
  virtual std::string ready_message() const { return "listening on 127.0.0.1:" + std::to_string(port()); }
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_SIMULATOR_HPP
