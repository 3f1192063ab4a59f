// How a partner's e-mail answers are read, from the instance's "replies" setting:
//   [{"match": "prise en charge|accus[ée] de r[ée]ception", "state": "acknowledged",
//     "reference_regex": "Réf\\.? ?: ?([A-Z0-9-]+)", "message": "..."}]
// `match` is a regular expression (ECMAScript, case-insensitive) searched in the subject and the
// text the partner wrote (quoted lines and what follows "... a écrit :" are the hub's own words).
// The first rule that matches decides; none → a person reads it (review).
#ifndef GUICHET_GENERIC_EMAIL_REPLY_RULES_HPP
#define GUICHET_GENERIC_EMAIL_REPLY_RULES_HPP

#include <guichet/sdk/connector.hpp>

#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace guichet::generic_email {

class ReplyRules {
 public:
  // Throws std::invalid_argument naming the rule ("replies[1].match") whose expression is invalid.
  explicit ReplyRules(const sdk::Json& rules);

  // on_email's answer for `email` ({"subject","text","request":{"request_id","agency_reference"}}),
  // its event dated `at` (RFC 3339).
  sdk::Json read(const sdk::Json& email, const std::string& at) const;

 private:
  struct Rule {
    std::regex match;
    std::string state;
    std::optional<std::regex> reference;
    std::optional<std::string> message;
  };
  std::vector<Rule> rules_;
};

// The partner's own words: the subject, then the text up to the quoted original.
std::string own_words(const sdk::Json& email);

}  // namespace guichet::generic_email

#endif
