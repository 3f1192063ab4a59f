// When an agency should have answered, from the department's configuration of the instance:
//   {"working_days": 3}  {"days": 5}  {"hours": 72}
//   {"working_days": 3, "when_missing": {"person.caf_number": {"working_days": 5}}}
// The second form encodes rules such as the aide universelle d'urgence: 3 working days, 5 when
// the victim is not yet a CAF allocataire (CASF L214-10).
#ifndef GUICHET_HUB_CASES_DEADLINE_H
#define GUICHET_HUB_CASES_DEADLINE_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace guichet::cases {

// Returns nothing when the rule is null or empty. Throws std::invalid_argument for a malformed rule.
std::optional<int64_t> deadline_ms(const nlohmann::json& rule, int64_t from_ms, const nlohmann::json& person,
                                   const std::string& department);

// Checked at start-up, so a bad rule stops the hub instead of failing intake.
void check_deadline_rule(const nlohmann::json& rule);

}  // namespace guichet::cases

#endif
