// The AUU's proof rules (CASF L214-9, D214-11): a complaint, a protection order or a report to the
// prosecutor, dated less than 12 months ago. A main courante is not enough.
#ifndef GUICHET_CAF_PROOF_HPP
#define GUICHET_CAF_PROOF_HPP

#include <guichet/sdk/connector.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace guichet::caf {

// The CAF's name for an accepted proof kind, or nothing for any other kind.
std::optional<std::string> justificatif_type(const sdk::Json& situation);

// What the référent must obtain before the request can go, judged without a clock; nothing
// when the kind of proof is accepted.
std::optional<std::string> proof_kind_problem(const sdk::Json& situation);

// The same, plus the proof's age on `today`.
std::optional<std::string> proof_problem(const sdk::Json& situation,
                                         std::chrono::year_month_day today);

}  // namespace guichet::caf

#endif
