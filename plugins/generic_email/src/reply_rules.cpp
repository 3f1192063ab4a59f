#include "reply_rules.hpp"

#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/mail_reply.hpp>

#include <sstream>
#include <stdexcept>

namespace guichet::generic_email {

using connectors::object_field;
using connectors::text_field;
using sdk::Json;

namespace {

constexpr std::size_t kSummaryChars = 200;

std::regex compiled(const Json& rule, const char* key, const std::string& where) {
  try {
    return std::regex(rule.at(key).get<std::string>(), std::regex::ECMAScript | std::regex::icase);
  } catch (const std::regex_error&) {
    throw std::invalid_argument(where + "." + key + " is not a valid regular expression");
  }
}

}  // namespace

std::string own_words(const Json& email) {
  std::string words = text_field(email, "subject").value_or("");
  std::istringstream lines(text_field(email, "text").value_or(""));
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find("a écrit :") != std::string::npos || line.find("wrote:") != std::string::npos) break;
    if (!line.empty() && line[0] == '>') continue;
    words += "\n" + line;
  }
  return words;
}

ReplyRules::ReplyRules(const Json& rules) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const Json& rule = rules[i];
    std::string where = "replies[" + std::to_string(i) + "]";
    Rule parsed{compiled(rule, "match", where), rule.at("state").get<std::string>(), std::nullopt, std::nullopt};
    if (rule.contains("reference_regex")) {
      parsed.reference = compiled(rule, "reference_regex", where);
      if (parsed.reference->mark_count() < 1) {
        throw std::invalid_argument(where + ".reference_regex needs a group around the reference: (...)");
      }
    }
    if (rule.contains("message")) parsed.message = rule["message"].get<std::string>();
    rules_.push_back(std::move(parsed));
  }
}

Json ReplyRules::read(const Json& email, const std::string& at) const {
  std::string words = own_words(email);
  const Json& request = object_field(email, "request");
  for (const Rule& rule : rules_) {
    if (!std::regex_search(words, rule.match)) continue;
    Json event{{"state", rule.state}, {"at", at}};
    if (auto id = text_field(request, "request_id")) event["request_id"] = *id;
    std::smatch found;
    if (rule.reference && std::regex_search(words, found, *rule.reference) && found[1].length() > 0) {
      event["agency_reference"] = found[1].str();
    } else if (auto known = text_field(request, "agency_reference")) {
      event["agency_reference"] = *known;
    }
    if (rule.message) event["message"] = *rule.message;
    return Json{{"events", Json::array({event})}, {"review", false},
                {"summary", connectors::cap_text("Réponse lue : " + rule.state, kSummaryChars)}};
  }
  return Json{{"events", Json::array()}, {"review", true},
              {"summary", connectors::cap_text("Réponse non reconnue : " + words, kSummaryChars)}};
}

}  // namespace guichet::generic_email
