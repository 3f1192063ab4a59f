// The mailboxes `guichet-sim email_agencies` answers, from its --accounts file:
//   {"accounts":[{"address","password","kind":"siao|childcare|association|cidff","prefix":"SIAO-95",
//                 "first_sequence":1}]}
// first_sequence (optional, default 1) numbers the first request answered, which also picks the
// decision it gets (replies.hpp: decision_for), so that a test can ask for a given kind of answer.
#ifndef GUICHET_SIM_EMAIL_AGENCIES_ACCOUNTS_HPP
#define GUICHET_SIM_EMAIL_AGENCIES_ACCOUNTS_HPP

#include <string>
#include <vector>

namespace guichet::sim::email {

enum class AgencyKind { siao, childcare, association, cidff };

struct AgencyAccount {
  std::string address;   // the POP3 login and the From of its replies
  std::string password;
  AgencyKind kind = AgencyKind::siao;
  std::string prefix;    // of its own references: "SIAO-95" gives SIAO-95-0001, SIAO-95-0002...
  int first_sequence = 1;
};

// Throws std::invalid_argument naming the entry (by index, never by address) that is wrong.
std::vector<AgencyAccount> load_accounts(const std::string& file);

}  // namespace guichet::sim::email

#endif  // GUICHET_SIM_EMAIL_AGENCIES_ACCOUNTS_HPP
