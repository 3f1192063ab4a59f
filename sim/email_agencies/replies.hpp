// What an agency's staff write back, in French, as plain text: pure functions of the agency's
// kind and the request's sequence number (1, 2, ... per agency), so tests can predict every reply.
//   request n:   an acknowledgement with the agency's reference, then, a step later, the decision:
//                n % 7 == 0  a free-text answer that no keyword rule can classify
//                n % 4 == 0  a question to the référent instead of a decision
//                n % 5 == 0  a refusal with its reason ("motif : ...")
//                otherwise   an acceptance
//   withdrawal:  an acknowledgement of the withdrawal only.
#ifndef GUICHET_SIM_EMAIL_AGENCIES_REPLIES_HPP
#define GUICHET_SIM_EMAIL_AGENCIES_REPLIES_HPP

#include "email_agencies/accounts.hpp"

#include <string>

namespace guichet::sim::email {

enum class Decision { accepted, refused, question, free_text };

Decision decision_for(int sequence);
const char* decision_name(Decision decision);

// "SIAO-95-0042" for prefix "SIAO-95" and sequence 42.
std::string agency_reference(const std::string& prefix, int sequence);

std::string acknowledgement_text(AgencyKind kind, const std::string& reference);
std::string decision_text(AgencyKind kind, Decision decision, const std::string& reference);
// `reference` is empty when the withdrawn request is not one this agency received.
std::string withdrawal_text(AgencyKind kind, const std::string& reference);

}  // namespace guichet::sim::email

#endif  // GUICHET_SIM_EMAIL_AGENCIES_REPLIES_HPP
