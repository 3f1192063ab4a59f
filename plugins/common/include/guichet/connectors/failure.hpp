// An exchange with an agency ended in something other than success: carries the outcome the
// dispatcher should act on, so shared code deep in a call can stop it without guessing the result.
#ifndef GUICHET_CONNECTORS_FAILURE_HPP
#define GUICHET_CONNECTORS_FAILURE_HPP

#include <guichet/sdk/connector.hpp>

#include <stdexcept>

namespace guichet::connectors {

class Failure : public std::runtime_error {
 public:
  explicit Failure(sdk::Outcome outcome)
      : std::runtime_error(outcome.message), outcome_(std::move(outcome)) {}
  const sdk::Outcome& outcome() const { return outcome_; }

 private:
  sdk::Outcome outcome_;
};

}  // namespace guichet::connectors

#endif
