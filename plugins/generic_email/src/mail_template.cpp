#include "mail_template.hpp"

#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/fields.hpp>

#include <regex>
#include <stdexcept>

namespace guichet::generic_email {

using connectors::text_field;
using sdk::Json;

namespace {

std::string trimmed(const std::string& text) {
  std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string date_or_text(const std::string& text) {
  return connectors::parse_date(text) ? connectors::format_french_date(text) : text;
}

}  // namespace

std::string readable(const Json& value) {
  if (value.is_string()) return date_or_text(value.get<std::string>());
  if (value.is_boolean()) return value.get<bool>() ? "oui" : "non";
  if (value.is_number()) return value.dump();
  if (value.is_array()) {
    std::string text;
    for (const Json& item : value) {
      if (item.is_null()) continue;
      text += (text.empty() ? "" : ", ") + readable(item);
    }
    return text;
  }
  if (value.is_object()) {
    if (value.contains("line") || value.contains("postcode") || value.contains("city")) {
      return text_field(value, "line").value_or("") + ", " + text_field(value, "postcode").value_or("") + " " +
             text_field(value, "city").value_or("");
    }
    if (value.contains("given_name")) {
      auto born = text_field(value, "birth_date");
      return text_field(value, "given_name").value_or("") + (born ? " (né(e) le " + date_or_text(*born) + ")" : "");
    }
    if (value.contains("kind")) {
      auto date = text_field(value, "date");
      return text_field(value, "kind").value_or("") + (date ? " du " + date_or_text(*date) : "");
    }
    return sdk::to_text(value);
  }
  return {};
}

MailTemplate::MailTemplate(const std::string& text, const connectors::DeclaredFields& fields, const std::string& what) {
  static const std::regex path_pattern("^[a-z_][a-z0-9_]*(\\.[a-z0-9_]+)*$");
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t open = text.find("{{", at);
    if (open == std::string::npos) {
      parts_.push_back({text.substr(at), {}});
      break;
    }
    if (open > at) parts_.push_back({text.substr(at, open - at), {}});
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) throw std::invalid_argument(what + ": a \"{{\" is never closed");
    std::string path = trimmed(text.substr(open + 2, close - open - 2));
    std::string reference = "{{" + path + "}}";
    if (!std::regex_match(path, path_pattern)) {
      throw std::invalid_argument(what + ": field " + reference + " is not a dotted field path");
    }
    fields.check(path, what + ": field " + reference);
    parts_.push_back({{}, path});
    at = close + 2;
  }
}

std::string MailTemplate::render(const Json& dispatch, bool one_line) const {
  std::string out;
  for (const Part& part : parts_) {
    if (part.path.empty()) {
      out += part.literal;
      continue;
    }
    const Json* value = connectors::value_at(dispatch, part.path);
    std::string text = value ? readable(*value) : std::string();
    if (one_line) {
      for (char& c : text) {
        if (c == '\r' || c == '\n') c = ' ';
      }
    }
    out += text;
  }
  return out;
}

}  // namespace guichet::generic_email
