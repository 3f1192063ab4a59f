#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/mail_reply.hpp>

#include <array>
#include <initializer_list>
#include <optional>
#include <regex>
#include <vector>

namespace guichet::connectors {

namespace {

constexpr std::size_t kSummaryChars = 200;
// Words by which an agency says no.
const std::initializer_list<std::string_view> kRefusals = {"refus", "ne pouvons pas", "pas en mesure",
                                                           "ne pourrons pas"};

// Lower case for ASCII and the accented capitals French writes (É, È, À, Ç...), enough for
// keywords: "ACCEPTÉE" and "acceptée" must read the same.
std::string lower(std::string_view text) {
  static const std::array<std::pair<std::string_view, std::string_view>, 10> capitals{{
      {"É", "é"}, {"È", "è"}, {"Ê", "ê"}, {"À", "à"}, {"Â", "â"},
      {"Ç", "ç"}, {"Î", "î"}, {"Ô", "ô"}, {"Ù", "ù"}, {"Û", "û"}}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [upper, small] : capitals) {
      if (text.substr(i, upper.size()) == upper) {
        out += small;
        i += upper.size();
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    char c = text[i++];
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

bool has_any(const std::string& haystack, std::initializer_list<std::string_view> needles) {
  for (auto needle : needles) {
    if (has(haystack, needle)) return true;
  }
  return false;
}

// The agency's own words: quoted lines and the quoted original below "... a écrit :" dropped.
std::string own_words(const std::string& text) {
  std::string kept;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string low = lower(line);
    if (has(low, "a écrit :") || has(low, "a écrit:") || low.rfind("-----", 0) == 0) break;
    if (!line.empty() && line.front() == '>') continue;
    kept += line + "\n";
  }
  return kept;
}

// One space between words: mail bodies wrap sentences over lines.
std::string collapse_spaces(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Sentences end at ". ", "? ", "! " or the end; the "?" or "!" stays with its sentence.
std::vector<std::string> sentences(const std::string& flat) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < flat.size(); ++i) {
    char c = flat[i];
    bool end = (c == '.' || c == '?' || c == '!') && (i + 1 == flat.size() || flat[i + 1] == ' ');
    if (!end) continue;
    out.push_back(flat.substr(start, i + 1 - start));
    start = i + 2;
  }
  if (start < flat.size()) out.push_back(flat.substr(start));
  return out;
}

// The agency's reference after "référence" ("Notre référence : SIAO-95-0042."): letters, digits
// and - / _, with at least one digit. The hub's own correlation (GCH-...) is not the agency's.
std::optional<std::string> agency_reference(const std::string& flat) {
  static const std::regex pattern(
      R"((?:référence|reference|réf\.)\s*(?:n°\s*)?:?\s*([A-Za-z0-9][A-Za-z0-9/_-]*[0-9][A-Za-z0-9/_-]*))",
      std::regex::icase);
  for (auto it = std::sregex_iterator(flat.begin(), flat.end(), pattern); it != std::sregex_iterator(); ++it) {
    std::string reference = (*it)[1].str();
    if (lower(reference).rfind("gch-", 0) == 0) continue;
    while (reference.back() == '-' || reference.back() == '/') reference.pop_back();
    return reference;
  }
  return std::nullopt;
}

// What follows "motif :" up to the end of its sentence, or the refusing sentence itself.
std::string refusal_reason(const std::vector<std::string>& all) {
  for (const auto& sentence : all) {
    std::string low = lower(sentence);
    for (std::string_view marker : {"motif :", "motif:", "motif du refus :", "raison :"}) {
      if (auto at = low.find(marker); at != std::string::npos) {
        std::string reason = sentence.substr(at + marker.size());
        std::size_t first = reason.find_first_not_of(' ');
        return first == std::string::npos ? sentence : reason.substr(first);
      }
    }
  }
  for (const auto& sentence : all) {
    if (has_any(lower(sentence), kRefusals)) return sentence;
  }
  return {};
}

std::string question(const std::vector<std::string>& all) {
  for (const auto& sentence : all) {
    if (!sentence.empty() && sentence.back() == '?') return sentence;
  }
  return {};
}

sdk::Json event(const sdk::Json& request, const std::optional<std::string>& reference, const char* state,
                const std::string& message, const std::string& at) {
  sdk::Json out{{"state", state}, {"at", at}};
  if (auto id = text_field(request, "request_id")) out["request_id"] = *id;
  if (reference) {
    out["agency_reference"] = *reference;
  } else if (auto known = text_field(request, "agency_reference")) {
    out["agency_reference"] = *known;
  }
  if (!message.empty()) out["message"] = cap_text(message, kSummaryChars);
  return out;
}

// The greeting says nothing and would start the first sentence, quoted as a question or reason.
std::string without_greeting(const std::string& flat) {
  for (std::string_view greeting : {"Bonjour, ", "Bonjour ", "Madame, Monsieur, "}) {
    if (flat.rfind(greeting, 0) == 0) return flat.substr(greeting.size());
  }
  return flat;
}

}  // namespace

std::string cap_text(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == max_chars - 1) {
      // One character left: "…" if more follows, else this last character.
      std::size_t next = i + 1;
      while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80) ++next;
      if (next >= text.size()) return std::string(text);
      return std::string(text.substr(0, i)) + "…";
    }
    ++chars;
  }
  return std::string(text);
}

sdk::Json classify_reply(const sdk::Json& email, const std::string& at) {
  const sdk::Json& request = object_field(email, "request");
  std::string flat = without_greeting(collapse_spaces(own_words(text_field(email, "text").value_or(""))));
  std::string low = lower(flat);
  std::vector<std::string> all = sentences(flat);

  bool acknowledged = (has(low, "accus") && has(low, "réception")) || has(low, "bien reçu");
  bool withdrawal = acknowledged && has(low, "retrait");
  bool accepted = has_any(low, {"accepté", "accordé", "admise", "est admis"});
  bool refused = has_any(low, kRefusals);
  bool asks = has(low, "?") && has_any(low, {"préciser", "merci de nous indiquer", "pourriez-vous",
                                             "pouvez-vous", "merci de nous transmettre"});
  int decisions = int(accepted) + int(refused) + int(asks);
  std::optional<std::string> reference = agency_reference(flat);

  sdk::Json events = sdk::Json::array();
  if (decisions > 1) {
    return sdk::Json{{"events", events}, {"review", true},
                     {"summary", cap_text("Réponse ambiguë : " + flat, kSummaryChars)}};
  }
  if (decisions == 0 && !acknowledged) {
    return sdk::Json{{"events", events}, {"review", true},
                     {"summary", cap_text("Réponse non reconnue : " + flat, kSummaryChars)}};
  }
  std::string summary;
  if (acknowledged) {
    events.push_back(event(request, reference, withdrawal ? "withdrawn" : "acknowledged", "", at));
    summary = withdrawal ? "Retrait pris en compte" : "Accusé de réception";
    if (reference) summary += ", référence " + *reference;
  }
  auto add = [&](const char* state, const std::string& message, const std::string& what) {
    events.push_back(event(request, reference, state, message, at));
    summary += (summary.empty() ? "" : " ; ") + what;
  };
  if (accepted) add("accepted", "", "Demande acceptée");
  if (refused) {
    std::string reason = refusal_reason(all);
    add("refused", reason, "Refus : " + reason);
  }
  if (asks) {
    std::string asked = question(all);
    add("info_requested", asked, "Question : " + asked);
  }
  return sdk::Json{{"events", events}, {"review", false}, {"summary", cap_text(summary, kSummaryChars)}};
}

}  // namespace guichet::connectors
