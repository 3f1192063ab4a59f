#include <guichet/connectors/body_mapping.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace guichet::connectors {

using sdk::Json;

namespace {

// The dispatch members that are arrays: only these may fill a "[]" target.
const std::set<std::string> kArraySources = {"person.given_names", "person.children", "person.languages",
                                             "need.children"};

std::vector<std::string> segments(const std::string& target) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = target.find('.', start);
    parts.push_back(target.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

bool is_prefix(const std::vector<std::string>& shorter, const std::vector<std::string>& longer) {
  return shorter.size() < longer.size() && std::equal(shorter.begin(), shorter.end(), longer.begin());
}

void set_at(Json& body, const std::vector<std::string>& path, Json value) {
  Json* node = &body;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) node = &(*node)[path[i]];
  (*node)[path.back()] = std::move(value);
}

Json rebuilt_items(const Json& items, const Json& each) {
  Json out = Json::array();
  for (const Json& item : items) {
    Json rebuilt = Json::object();
    for (const auto& [member, from] : each.items()) {
      auto found = item.is_object() ? item.find(from.get<std::string>()) : item.end();
      if (item.is_object() && found != item.end()) rebuilt[member] = *found;
    }
    out.push_back(std::move(rebuilt));
  }
  return out;
}

}  // namespace

BodyMapping::BodyMapping(const Json& rules, const DeclaredFields& fields) {
  for (const auto& [target, rule] : rules.items()) rules_.push_back(parse(target, rule, fields));
  for (const Rule& a : rules_) {
    for (const Rule& b : rules_) {
      if (is_prefix(a.path, b.path)) {
        throw std::invalid_argument("body mapping \"" + b.target + "\": inside \"" + a.target + "\", which is a value");
      }
    }
  }
}

BodyMapping::Rule BodyMapping::parse(const std::string& target, const Json& rule,
                                     const DeclaredFields& fields) {
  std::string what = "body mapping \"" + target + "\"";
  Rule parsed;
  parsed.target = target;
  bool array_target = target.size() > 2 && target.compare(target.size() - 2, 2, "[]") == 0;
  parsed.path = segments(array_target ? target.substr(0, target.size() - 2) : target);
  for (const std::string& segment : parsed.path) {
    if (segment.empty() || segment.find("[]") != std::string::npos) {
      throw std::invalid_argument(what + ": a target is a dotted path, \"[]\" only at its end");
    }
  }

  if (rule.is_string()) {
    parsed.source = rule.get<std::string>();
  } else if (rule.is_object() && rule.contains("const")) {
    if (rule.size() != 1) throw std::invalid_argument(what + ": a constant has nothing but \"const\"");
    parsed.constant = rule["const"];
  } else if (rule.is_object() && rule.contains("field") && rule["field"].is_string()) {
    parsed.source = rule["field"].get<std::string>();
    for (const auto& [key, value] : rule.items()) {
      if (key != "field" && key != "default" && key != "each") {
        throw std::invalid_argument(what + ": unknown member \"" + key + "\" (field, default, each)");
      }
    }
    if (rule.contains("default")) parsed.fallback = rule["default"];
    if (rule.contains("each")) {
      parsed.each = rule["each"];
      bool members = parsed.each.is_object() && !parsed.each.empty();
      for (const auto& [member, from] : parsed.each.items()) members = members && from.is_string();
      if (!members) throw std::invalid_argument(what + ": \"each\" maps item members: {\"target\": \"member\"}");
    }
  } else {
    throw std::invalid_argument(what + ": a rule is \"source.path\", {\"const\": ...} or {\"field\": \"source.path\"}");
  }

  if (!parsed.constant) fields.check(parsed.source, what);
  bool array_source = !parsed.constant && kArraySources.count(parsed.source);
  if (array_target && !array_source) throw std::invalid_argument(what + ": \"[]\" needs an array source");
  if (!parsed.each.is_null() && !array_target) throw std::invalid_argument(what + ": \"each\" needs a \"[]\" target");
  return parsed;
}

std::optional<Json> BodyMapping::value(const Rule& rule, const Json& dispatch) {
  if (rule.constant) return *rule.constant;
  const Json* found = value_at(dispatch, rule.source);
  if (!found) return rule.fallback;
  if (!rule.each.is_null() && found->is_array()) return rebuilt_items(*found, rule.each);
  return *found;
}

Json BodyMapping::apply(const Json& dispatch) const {
  Json body = Json::object();
  for (const Rule& rule : rules_) {
    if (auto found = value(rule, dispatch)) set_at(body, rule.path, std::move(*found));
  }
  return body;
}

}  // namespace guichet::connectors
