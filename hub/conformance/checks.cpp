// The conformance checks themselves. Each one builds its own AgencyHost and Session, so they can run
// in any order; each failure line names what is wrong, never a value of the sample case.
#include "hub/conformance/agency_host.h"
#include "hub/conformance/conformance.h"
#include "hub/conformance/sample_dispatch.h"
#include "hub/conformance/session.h"

#include "hub/connectors/field_set.h"
#include "hub/connectors/schema.h"

#include <guichet/sdk/testing.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace guichet::conformance {
namespace {

using Failures = std::vector<std::string>;

constexpr const char* kKey = "k_conformance-0001";
constexpr int kRetryAfterS = 7;
constexpr int kFuzzRounds = 25;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string without_query(const std::string& url) { return url.substr(0, url.find('?')); }

std::string percent_encoded(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool is_rest(const connectors::Manifest& m) { return m.channel == "rest"; }
bool is_email(const connectors::Manifest& m) { return m.channel == "email"; }
bool always(const connectors::Manifest&) { return true; }
bool polls(const connectors::Manifest& m) { return m.capabilities.count("poll") > 0; }
bool answers(const connectors::Manifest& m) { return m.capabilities.count("answer") > 0; }

Case base_case(const Subject& subject) {
  std::mt19937_64 random(1);
  return sample_case(subject.manifest(), random);
}

// What render() says the dispatch becomes; an empty answer when it cannot render.
Json render_offline(const Subject& subject, const Json& dispatch) {
  sdk::testing::FakeHost host;
  Session session(subject, host.table());
  Answer answer = session.call("render", dispatch);
  return answer.ok() && answer.json.is_object() ? answer.json : Json::object();
}

// The URLs (without query) of the agency requests render() announces.
std::set<std::string> announced_urls(const Json& rendered) {
  std::set<std::string> urls;
  for (const Json& request : rendered.value("requests", Json::array())) {
    if (request.is_object() && request.contains("url") && request["url"].is_string()) {
      urls.insert(without_query(request["url"].get<std::string>()));
    }
  }
  return urls;
}

// Answers the announced agency requests with `answer` and any other call (a token endpoint) with
// a bearer token.
AgencyHost::Responder agency_answering(std::set<std::string> urls, HttpAnswer answer) {
  return [urls = std::move(urls), answer](const Json& request) -> std::optional<HttpAnswer> {
    if (urls.count(without_query(request.value("url", std::string())))) return answer;
    return token_answer();
  };
}

AgencyHost::Responder everything_answered() {
  return [](const Json&) -> std::optional<HttpAnswer> { return token_answer(); };
}

// Whether a failed call is one the hub retries: an error the connector raised, unless it said
// {"transient": false}.
bool hub_retries(const Answer& answer) {
  if (answer.ok()) return answer.result() == "retry";
  return answer.status == GUICHET_ERROR && !(answer.json.is_object() && answer.json.value("transient", true) == false);
}

std::string describe(const Answer& answer) {
  if (answer.ok()) return answer.result().empty() ? std::string("an answer without result") : answer.result();
  return "error status " + std::to_string(answer.status) + " (" + answer.message() + ")";
}

// ---- manifest ------------------------------------------------------------------------------------

Failures check_manifest(const Subject& subject) {
  Failures failures;
  const connectors::Manifest& m = subject.manifest();
  if (m.channel != "rest" && m.channel != "email") failures.push_back("channel must be \"rest\" or \"email\"");
  if (m.docs.empty()) failures.push_back("docs must name the connector's README");
  for (const char* capability : {"render", "deliver"}) {
    if (!m.capabilities.count(capability)) failures.push_back(std::string("capabilities must include ") + capability);
  }
  if (m.person_fields.empty() && m.situation_fields.empty() && !m.fields_from_instance) {
    failures.push_back("fields declares nothing: the connector would receive no one to help");
  }
  if (!m.settings_schema.is_object() || m.settings_schema.value("type", Json()) != "object") {
    failures.push_back("settings_schema must be {\"type\": \"object\", ...}");
  }
  if (!m.example_settings.is_object() || m.example_settings.empty()) {
    failures.push_back("example_settings must show a working instance's settings");
  }
  return failures;
}

// ---- settings ------------------------------------------------------------------------------------

// A value of a type the property's schema does not allow, or nothing when it allows any type.
std::optional<Json> of_another_type(const Json& property) {
  Json types = property.is_object() ? property.value("type", Json()) : Json();
  if (types.is_string()) types = Json::array({types});
  if (!types.is_array() || types.empty()) return std::nullopt;
  const std::vector<std::pair<const char*, Json>> candidates = {
      {"string", "text"}, {"boolean", true}, {"object", Json::object()}, {"array", Json::array()}, {"number", 1.5}};
  for (const auto& [type, value] : candidates) {
    if (std::find(types.begin(), types.end(), Json(type)) == types.end()) return value;
  }
  return std::nullopt;
}

Failures check_settings(const Subject& subject) {
  Failures failures;
  const Json& schema = subject.manifest().settings_schema;
  const Json& example = subject.manifest().example_settings;
  if (auto error = connectors::validate(schema, example, "example_settings")) {
    failures.push_back(error->path + ": " + error->message);
    return failures;
  }
  Json required = schema.value("required", Json::array());
  if (!required.is_array() || required.empty()) {
    failures.push_back("settings_schema requires no key: an empty settings object would be accepted");
  }
  for (const Json& key : required) {
    Json broken = example;
    broken.erase(key.get<std::string>());
    if (!connectors::validate(schema, broken)) failures.push_back("settings without \"" + key.get<std::string>() + "\" are accepted");
  }
  Json properties = schema.value("properties", Json::object());
  for (const auto& [key, value] : example.items()) {
    auto wrong = of_another_type(properties.value(key, Json()));
    if (!wrong) continue;
    Json broken = example;
    broken[key] = *wrong;
    if (!connectors::validate(schema, broken)) failures.push_back("settings with \"" + key + "\" of the wrong type are accepted");
  }
  Json misspelt = example;
  misspelt["conformance_unknown_key"] = "x";
  if (!connectors::validate(schema, misspelt)) {
    failures.push_back("settings with an unknown key are accepted (set \"additionalProperties\": false)");
  }
  try {
    sdk::testing::FakeHost host;
    Session session(subject, host.table());
  } catch (const std::exception& e) {
    failures.push_back(std::string("example_settings do not create an instance: ") + e.what());
  }
  return failures;
}

// ---- render --------------------------------------------------------------------------------------

Failures check_render(const Subject& subject) {
  Failures failures;
  sdk::testing::FakeHost host;  // no scripted answer: any HTTP call would fail, and is recorded
  Session session(subject, host.table());
  Answer answer = session.call("render", projected_dispatch(subject.manifest(), base_case(subject), kKey));
  if (!answer.ok()) return {"render failed on the sample case: " + answer.message()};
  if (!host.requests().empty()) failures.push_back("render called the host's http service");
  if (!host.mails().empty()) failures.push_back("render called the host's send_mail service");
  const char* list = subject.manifest().channel == "email" ? "mails" : "requests";
  if (!answer.json.is_object() || !answer.json.contains(list) || !answer.json[list].is_array()) {
    failures.push_back(std::string("render must answer {\"") + list + "\": [...]}");
  } else if (answer.json[list].empty()) {
    failures.push_back(std::string("render of the sample case has no ") + list);
  } else if (std::string(list) == "requests") {
    for (const Json& request : answer.json[list]) {
      if (!request.is_object() || !request.value("url", Json()).is_string() || !request.value("method", Json()).is_string()) {
        failures.push_back("each rendered request needs \"method\" and \"url\"");
        break;
      }
    }
  }
  return failures;
}

// ---- undeclared fields ---------------------------------------------------------------------------

// The canaries found in `text` (case-insensitive: a connector may upper-case a name).
Failures leaked(const std::vector<std::string>& canaries, const std::string& text, const std::string& where) {
  Failures failures;
  std::string haystack = lower(text);
  for (const std::string& value : canaries) {
    if (haystack.find(lower(value)) != std::string::npos) {
      // The canary's label names the field ("cnry-nir-..."), the random suffix is not data.
      std::string field = value.substr(5, value.rfind('-') - 5);
      failures.push_back(where + " carries undeclared input " + field);
    }
  }
  return failures;
}

// Every string of a person, long enough to be recognised, which no log line may hold.
void collect_strings(const Json& value, std::vector<std::string>& into) {
  if (value.is_string() && value.get<std::string>().size() >= 4) into.push_back(value.get<std::string>());
  if (value.is_structured()) {
    for (const Json& item : value) collect_strings(item, into);
  }
}

Failures fuzz_once(const Subject& subject, std::mt19937_64& random) {
  Failures failures;
  Case filed = sample_case(subject.manifest(), random);
  std::vector<std::string> planted = plant_canaries(subject.manifest(), filed, random);

  // As the dispatcher does it: projected first. A canary the projection itself moved into a
  // declared field (the contact address standing in for a confidential one) is the hub's decision.
  Json dispatch = projected_dispatch(subject.manifest(), filed, kKey);
  std::string handed = lower(dispatch.dump());
  std::vector<std::string> forbidden;
  for (const std::string& value : planted) {
    if (handed.find(lower(value)) == std::string::npos) forbidden.push_back(value);
  }
  {
    AgencyHost host(everything_answered());
    Session session(subject, host.table());
    Answer rendered = session.call("render", dispatch);
    Answer delivered = session.call("deliver", dispatch);
    for (auto* answer : {&rendered, &delivered}) {
      for (auto& f : leaked(forbidden, searchable(answer->json), "the answer to a projected dispatch")) failures.push_back(f);
    }
    for (auto& f : leaked(forbidden, host.egress(), "what a projected dispatch sent or logged")) failures.push_back(f);
    std::vector<std::string> personal;
    collect_strings(dispatch["person"], personal);
    std::string logs;
    for (const std::string& line : host.logs()) logs += line + "\n";
    for (const std::string& value : personal) {
      if (logs.find(value) != std::string::npos) {
        failures.push_back("a log line holds a value of the person (log ids, never personal data)");
        break;
      }
    }
  }

  // As if the projection had failed, and with members the model does not know: a connector reads
  // the fields it declared and nothing else.
  std::string unknown = canary("unknown-member", random);
  planted.push_back(unknown);
  Json raw = unprojected_dispatch(filed, unknown, kKey);
  AgencyHost host(everything_answered());
  Session session(subject, host.table());
  Answer rendered = session.call("render", raw);
  Answer delivered = session.call("deliver", raw);
  for (auto* answer : {&rendered, &delivered}) {
    for (auto& f : leaked(planted, searchable(answer->json), "the answer to an unprojected dispatch")) failures.push_back(f);
  }
  for (auto& f : leaked(planted, host.egress(), "what an unprojected dispatch sent or logged")) failures.push_back(f);
  return failures;
}

Failures check_undeclared_fields(const Subject& subject) {
  std::mt19937_64 random(20261118);
  std::set<std::string> seen;  // one line per distinct failure, not one per round
  Failures failures;
  for (int round = 0; round < kFuzzRounds; ++round) {
    for (std::string& failure : fuzz_once(subject, random)) {
      if (seen.insert(failure).second) failures.push_back(std::move(failure));
    }
  }
  return failures;
}

// ---- idempotency ---------------------------------------------------------------------------------

Failures check_idempotency(const Subject& subject) {
  Failures failures;
  Json dispatch = projected_dispatch(subject.manifest(), base_case(subject), kKey);
  Json rendered = render_offline(subject, dispatch);
  if (rendered.dump().find(kKey) == std::string::npos) failures.push_back("render shows no request carrying the idempotency key");
  std::set<std::string> urls = announced_urls(rendered);
  AgencyHost host(agency_answering(urls, {201, {{"content-type", "application/json"}}, "{}"}));
  Session session(subject, host.table());
  for (int attempt = 1; attempt <= 2; ++attempt) {
    dispatch["attempt"] = attempt;
    std::size_t requests_before = host.requests().size(), mails_before = host.mails().size();
    Answer answer = session.call("deliver", dispatch);
    if (!answer.ok()) failures.push_back("delivery attempt " + std::to_string(attempt) + " failed: " + answer.message());
    // A read-only step (a look-up before the creation) needs no key; the request with an effect
    // does, and no request may carry a key of the connector's own making.
    int carried = 0, agency = 0;
    std::set<std::string> called;
    std::vector<Json> requests = host.requests();
    for (std::size_t i = requests_before; i < requests.size(); ++i) {
      std::string url = without_query(requests[i].value("url", std::string()));
      if (!urls.count(url)) continue;
      called.insert(url);
      ++agency;
      if (requests[i].dump().find(kKey) != std::string::npos) ++carried;
      Json headers = requests[i].value("headers", Json::object());
      for (const auto& [name, value] : headers.items()) {
        if (lower(name) == "idempotency-key" && value != kKey) {
          failures.push_back("delivery attempt " + std::to_string(attempt) + " sent an Idempotency-Key of its own");
        }
      }
    }
    std::vector<Json> mails = host.mails();
    for (std::size_t i = mails_before; i < mails.size(); ++i) {
      ++agency;
      if (mails[i].value("idempotency_key", std::string()) == kKey) {
        ++carried;
      } else {
        failures.push_back("delivery attempt " + std::to_string(attempt) + " sent a mail without the idempotency key");
      }
    }
    if (agency == 0) failures.push_back("delivery attempt " + std::to_string(attempt) + " sent nothing to the agency");
    // A delivery that stopped early (a look-up answered too thinly) never reached the request
    // that carries the key; render shows it does.
    if (agency > 0 && carried == 0 && called == urls) {
      failures.push_back("delivery attempt " + std::to_string(attempt) + " sent the agency no idempotency key");
    }
  }
  return failures;
}

// ---- HTTP statuses -------------------------------------------------------------------------------

Failures check_http_statuses(const Subject& subject) {
  Failures failures;
  Json dispatch = projected_dispatch(subject.manifest(), base_case(subject), kKey);
  Json rendered = render_offline(subject, dispatch);
  std::set<std::string> urls = announced_urls(rendered);
  if (urls.empty()) return {"render announces no request for the sample case"};

  struct Expectation {
    int status;
    std::set<std::string> results;
  };
  // The suite cannot know the body an agency sends with its 2xx: a connector may find "{}" too
  // thin and retry, but an accepted request is never the référent's or the department's to fix.
  std::set<std::string> success = {"sent", "acknowledged", "info_requested", "refused", "retry"};
  std::vector<Expectation> expectations = {
      {200, success}, {201, success}, {202, success},
      {400, {"data_error"}}, {404, {"data_error"}}, {409, {"data_error"}}, {422, {"data_error"}},
      {401, {"config_error"}}, {403, {"config_error"}},
      {408, {"retry"}}, {429, {"retry"}}, {500, {"retry"}}, {502, {"retry"}}, {503, {"retry"}}};
  for (const Expectation& expected : expectations) {
    HttpAnswer answer{expected.status, {{"content-type", "application/json"}}, "{}"};
    bool retryable = expected.results == std::set<std::string>{"retry"};
    if (retryable) answer.headers["retry-after"] = std::to_string(kRetryAfterS);
    AgencyHost host(agency_answering(urls, answer));
    Session session(subject, host.table());
    Answer outcome = session.call("deliver", dispatch);
    std::string what = "HTTP " + std::to_string(expected.status);
    if (!outcome.ok() || !expected.results.count(outcome.result())) {
      std::string wanted;
      for (const std::string& result : expected.results) wanted += (wanted.empty() ? "" : " or ") + result;
      failures.push_back(what + " gave " + describe(outcome) + ", expected " + wanted);
      continue;
    }
    if (retryable && outcome.json.value("retry_after_s", 0) != kRetryAfterS) {
      failures.push_back(what + " with Retry-After: " + std::to_string(kRetryAfterS) + " gave retry_after_s " +
                         std::to_string(outcome.json.value("retry_after_s", 0)));
    }
  }
  return failures;
}

Failures check_transport_failure(const Subject& subject) {
  AgencyHost host([](const Json&) -> std::optional<HttpAnswer> { return std::nullopt; });
  Session session(subject, host.table());
  Answer outcome = session.call("deliver", projected_dispatch(subject.manifest(), base_case(subject), kKey));
  if (hub_retries(outcome)) return {};
  return {"a connection refused gave " + describe(outcome) + ", expected retry"};
}

// ---- mail ----------------------------------------------------------------------------------------

Failures check_mail_refusals(const Subject& subject) {
  Failures failures;
  Json dispatch = projected_dispatch(subject.manifest(), base_case(subject), kKey);
  for (bool transient : {true, false}) {
    AgencyHost host(everything_answered());
    host.refuse_mail(transient);
    Session session(subject, host.table());
    Answer outcome = session.call("deliver", dispatch);
    if (transient && !hub_retries(outcome)) {
      failures.push_back("a mail refused for now gave " + describe(outcome) + ", expected retry");
    }
    if (!transient && outcome.result() != "config_error") {
      failures.push_back("a mail refused for good gave " + describe(outcome) + ", expected config_error");
    }
  }
  return failures;
}

// ---- answer --------------------------------------------------------------------------------------

// The référent's answer reaches the agency, with its own key (a retry of it is recognised, and it is
// never taken for the request itself), and the agency taking it is a success.
Failures check_answer(const Subject& subject) {
  constexpr const char* kAnswerKey = "k_conformance-0001-answer-1795000000000";
  constexpr const char* kText = "Réponse de conformité : pièce jointe au dossier";
  Failures failures;
  Json dispatch = projected_dispatch(subject.manifest(), base_case(subject), kKey);
  dispatch["agency_reference"] = "CONF-REF-1";
  dispatch["answer"] = {{"text", kText}, {"idempotency_key", kAnswerKey}};
  AgencyHost host(everything_answered());
  Session session(subject, host.table());
  Answer outcome = session.call("answer", dispatch);
  if (!outcome.ok() || (outcome.result() != "sent" && outcome.result() != "acknowledged")) {
    failures.push_back("an answer the agency took gave " + describe(outcome) + ", expected sent or acknowledged");
  }
  bool text_sent = false, key_sent = false;
  for (const Json& request : host.requests()) {
    std::string sent = request.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (sent.find(kAnswerKey) != std::string::npos) key_sent = true;
    if (sent.find(kText) != std::string::npos) text_sent = true;  // no character of it is escaped in JSON
    Json headers = request.value("headers", Json::object());
    for (const auto& [name, value] : headers.items()) {
      if (lower(name) == "idempotency-key" && value != kAnswerKey) {
        failures.push_back("the answer was sent with another Idempotency-Key than the answer's");
      }
    }
  }
  for (const Json& mail : host.mails()) {
    if (mail.value("idempotency_key", std::string()) == kAnswerKey) key_sent = true;
    else failures.push_back("the answer was mailed without the answer's idempotency key");
    if (mail.value("text", std::string()).find(kText) != std::string::npos) text_sent = true;
  }
  if (!text_sent) failures.push_back("the answer's text never reached the agency");
  if (!key_sent) failures.push_back("the answer's idempotency key never reached the agency");
  return failures;
}

// ---- poll ----------------------------------------------------------------------------------------

Failures check_poll_cursor(const Subject& subject) {
  Failures failures;
  Json open = Json::array({{{"request_id", "r_conformance_0001"}, {"agency_reference", "CONF-REF-1"}, {"state", "sent"}}});
  AgencyHost host(everything_answered());
  Session session(subject, host.table());
  Answer first = session.call("poll", {{"cursor", nullptr}, {"open", open}});
  // An agency answer the suite cannot imitate (a page of the agency's own format) may fail the
  // first poll: the cursor cannot be followed then, which is no fault of the connector.
  if (!first.ok()) return {};
  if (!first.json.is_object() || !first.json.contains("cursor") || !first.json.value("events", Json()).is_array()) {
    return {"poll must answer {\"events\": [...], \"cursor\": ...}"};
  }
  Json cursor = first.json["cursor"];
  std::size_t before = host.requests().size();
  Answer second = session.call("poll", {{"cursor", cursor}, {"open", open}});
  if (!second.ok()) return {"a poll from the cursor the previous one returned failed: " + second.message()};
  if (!second.json.is_object() || !second.json.contains("cursor")) failures.push_back("poll must return a cursor");
  if (cursor.is_string() && !cursor.get<std::string>().empty()) {
    std::string text = cursor.get<std::string>();
    bool used = false;
    std::vector<Json> requests = host.requests();
    for (std::size_t i = before; i < requests.size(); ++i) {
      // Hex digits of a percent-encoding may be in either case.
      std::string sent = lower(requests[i].dump());
      used = used || sent.find(lower(text)) != std::string::npos ||
             sent.find(lower(percent_encoded(text))) != std::string::npos;
    }
    if (!used) failures.push_back("a poll given the cursor it returned did not ask the agency from it");
  }
  return failures;
}

}  // namespace

const std::vector<Check>& checks() {
  static const std::vector<Check> all = {
      {"manifest", "the manifest is complete: channel, docs, render and deliver, fields, settings", always, check_manifest},
      {"settings", "example_settings are accepted, broken ones refused, and create an instance", always, check_settings},
      {"render", "render works offline and shows what would be sent", always, check_render},
      {"undeclared_fields", "no value of an undeclared or unknown field leaves the connector", always,
       check_undeclared_fields},
      {"idempotency", "every delivery carries the dispatch's idempotency key", always, check_idempotency},
      {"http_statuses", "HTTP statuses map to outcomes: 2xx ok, 408/429/5xx retry, 401/403 config, 4xx data", is_rest,
       check_http_statuses},
      {"transport_failure", "a transport failure is retried", is_rest, check_transport_failure},
      {"mail_refusals", "a mail refused for now is retried, for good is a configuration error", is_email,
       check_mail_refusals},
      {"poll_cursor", "a poll resumes from the cursor it returned", polls, check_poll_cursor},
      {"answer", "the référent's answer reaches the agency under its own idempotency key", answers, check_answer},
  };
  return all;
}

}  // namespace guichet::conformance
