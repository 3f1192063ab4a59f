#include "hub/cases/case_service.h"

#include "hub/cases/api_error.h"
#include "hub/cases/case_view.h"
#include "hub/cases/deadline.h"
#include "hub/cases/intake_validation.h"
#include "hub/domain/ids.h"
#include "hub/domain/need.h"
#include "hub/domain/request_state.h"
#include "hub/store/audit_chain.h"

#include <algorithm>

namespace guichet::cases {
namespace {

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Tries with fresh correlations after a collision. Three collisions in a row would take a store of
// the order of 10^12 requests; they are answered 503 rather than looped on.
constexpr int kCorrelationAttempts = 3;

// Runs a store call, turning "the disk is full" and friends into the contract's 503.
template <typename Call>
auto guarded(Call&& call) {
  try {
    return call();
  } catch (const store::StoreUnavailable&) {
    throw ApiError::unavailable();
  }
}

void check_idempotency_key(const std::string& key) {
  if (key.empty() || key.size() > 255) throw ApiError::invalid("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
  for (unsigned char c : key) {
    if (c < 0x20 || c > 0x7e) throw ApiError::invalid("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
  }
}

Answer replay(const store::IdempotencyEntry& stored, const std::string& body_hash) {
  if (stored.body_hash != body_hash) {
    throw ApiError(422, "idempotency_mismatch", "this Idempotency-Key was used with a different body",
                   "Idempotency-Key");
  }
  auto view = Json::parse(stored.response, nullptr, false);
  return Answer{stored.status, stored.response, view.is_object() ? view.value("case_id", "") : ""};
}

std::string actor_of(const Principal& who) { return store::referent_actor(who.referent); }

std::vector<store::ConsentEntry> consents_of(const Json& consent, const std::string& referent, const std::string& at) {
  std::vector<store::ConsentEntry> out;
  for (const auto& [need, given] : consent.items()) out.push_back({need, given.get<bool>(), at, referent, "referent"});
  return out;
}

// What the store will hold after the intake commits, to answer without reading it back.
store::CaseRecord record_of(const store::NewCase& c) {
  store::CaseRecord record;
  record.id = c.id;
  record.owner = c.owner;
  record.department = c.department;
  record.created_at = record.updated_at = c.at;
  for (const auto& r : c.requests) {
    store::RequestRecord request;
    request.id = r.id;
    request.case_id = c.id;
    request.need = r.need;
    request.instance = r.instance;
    request.agency = r.agency;
    request.state = "queued";
    request.deadline = r.deadline;
    request.updated_at = c.at;
    request.history.push_back({"queued", c.at, "hub", ""});
    record.requests.push_back(std::move(request));
  }
  return record;
}

// An answer to an agency's question: a letter's worth of text, lines allowed, no other control
// character (the agency's systems print it). The body is already known to be valid UTF-8.
std::string answer_text(const Json& body) {
  constexpr size_t kMaxCharacters = 4000;
  const char* rule = "must be a text of 1 to 4000 characters, without control characters other than line breaks";
  auto text = body.find("text");
  if (text == body.end() || !text->is_string()) throw ApiError::invalid("text", rule);
  const std::string& value = text->get_ref<const std::string&>();
  size_t characters = 0;
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) throw ApiError::invalid("text", rule);
    if ((c & 0xC0) != 0x80) ++characters;
  }
  if (characters > kMaxCharacters || value.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw ApiError::invalid("text", rule);
  }
  return value;
}

}  // namespace

CaseService::CaseService(store::Store& store, privacy::Vault& vault, Routing routing, Clock clock,
                         std::function<void()> work_queued, std::function<std::string()> correlations,
                         Handoff handoff)
    : store_(store), vault_(vault), routing_(std::move(routing)), clock_(std::move(clock)),
      work_queued_(std::move(work_queued)), correlations_(std::move(correlations)), handoff_(std::move(handoff)) {}

std::vector<store::NewRequest> CaseService::new_requests(const Json& needs, const Json& person,
                                                         const std::string& department, int64_t now) {
  std::vector<store::NewRequest> out;
  for (size_t i = 0; i < needs.size(); ++i) {
    std::string kind = needs[i]["kind"];
    const std::vector<Route>& serving = routing_.serving(department, kind);
    if (serving.empty()) {
      throw ApiError::invalid("needs[" + std::to_string(i) + "].kind",
                              "no agency serves this need in department " + department);
    }
    // One request per serving agency, each with its own deadline, correlation and delivery key.
    for (const Route& route : serving) {
      auto deadline = deadline_ms(route.deadline, now, person, department);
      out.push_back({new_request_id(), kind, dump(needs[i]), route.instance, route.agency,
                     deadline ? format_time(*deadline) : "", correlations_(), new_delivery_key()});
    }
  }
  return out;
}

Answer CaseService::create(const Principal& who, const Json& body, const std::string& body_hash,
                           const std::optional<std::string>& idempotency_key) {
  if (idempotency_key) {
    check_idempotency_key(*idempotency_key);
    if (auto stored = guarded([&] { return store_.find_idempotency(who.referent, *idempotency_key); })) {
      return replay(*stored, body_hash);
    }
  }
  int64_t now = clock_();
  validate_intake(body, now / 86400000, [&](const std::string& d) { return routing_.has_department(d); });

  store::NewCase c;
  c.id = new_case_id();
  c.owner = who.referent;
  c.department = body["situation"]["department"];
  c.at = format_time(now);
  store::PersonRecord plain{dump(body["person"]), dump(body["situation"])};
  c.person = guarded([&] { return vault_.seal_new(c.id, plain); });
  c.requests = new_requests(body["needs"], body["person"], c.department, now);
  c.consents = consents_of(body["consent"], who.referent, c.at);
  if (handoff_.lease) c.lease = handoff_.lease(c.requests.size());

  Answer answer{201, dump(case_view(record_of(c), now, routing_)), c.id};
  std::optional<store::IdempotencyEntry> remembered;
  if (idempotency_key) remembered = store::IdempotencyEntry{who.referent, *idempotency_key, body_hash, 201, answer.body};
  // A case that is not stored leaves no key behind either, when the storage lets it be removed
  // (a key alone opens nothing, so one left by a full disk does no harm).
  auto discard_key = [&] {
    if (c.lease) handoff_.unlease(c.requests.size());
    try {
      vault_.erase(c.id);
    } catch (const std::exception&) {
    }
  };
  std::vector<store::Delivery> leased;
  try {
    // Correlations drawn alike are expected among millions of requests: draw again, a few times.
    for (int attempt = 1;; ++attempt) {
      try {
        leased = guarded([&] { return store_.create_case(c, remembered); });
        break;
      } catch (const store::CorrelationTaken&) {
        if (attempt == kCorrelationAttempts) throw ApiError::unavailable();
        for (auto& request : c.requests) request.correlation = correlations_();
      }
    }
  } catch (const store::IdempotencyRace&) {
    discard_key();
    // A concurrent request with the same key committed first: answer as it did.
    return replay(*guarded([&] { return store_.find_idempotency(who.referent, *idempotency_key); }), body_hash);
  } catch (...) {
    discard_key();
    throw;
  }
  if (c.lease) {
    handoff_.hand_over(std::move(leased), std::move(plain));
  } else {
    work_queued_();
  }
  return answer;
}

bool works_on(const store::CaseRecord& record, const Principal& who) {
  if (record.owner == who.referent) return true;
  return who.department == record.department &&
         std::find(record.delegates.begin(), record.delegates.end(), who.referent) != record.delegates.end();
}

store::CaseRecord CaseService::accessible_case(const Principal& who, const std::string& case_id) {
  auto found = guarded([&] { return store_.find_case(case_id); });
  if (!found || !works_on(*found, who)) throw ApiError::not_found();
  return std::move(*found);
}

store::CaseRecord CaseService::owned_case(const Principal& who, const std::string& case_id) {
  store::CaseRecord record = accessible_case(who, case_id);
  if (record.owner != who.referent) throw ApiError::forbidden("only the référent who owns the case may do this");
  return record;
}

Json CaseService::get(const Principal& who, const std::string& case_id) {
  Json view = case_view(accessible_case(who, case_id), clock_(), routing_);
  // Recorded before it is answered: a read the log cannot record is not answered.
  guarded([&] { store_.record_audit(store::audit_event(actor_of(who), "case.read", case_id, "")); });
  return view;
}

Json CaseService::list(const Principal& who, const std::string& overall_filter, int limit, const std::string& cursor) {
  if (limit < 1 || limit > 200) throw ApiError::invalid("limit", "must be from 1 to 200");
  if (!overall_filter.empty() && overall_filter != "action_required" && overall_filter != "in_progress" &&
      overall_filter != "completed") {
    throw ApiError::invalid("overall", "must be action_required, in_progress or completed");
  }
  std::optional<int64_t> before;
  if (!cursor.empty()) {
    try {
      before = std::stoll(cursor);
    } catch (const std::exception&) {
      throw ApiError::invalid("cursor", "not a cursor this API returned");
    }
  }
  int64_t now = clock_();
  Json cases = Json::array(), ids = Json::array();
  // One entry for the whole page, naming the cases shown: a list stays one small write.
  auto answer = [&](Json next_cursor) {
    guarded([&] { store_.record_audit(store::audit_event(actor_of(who), "case.list", "", "", {{"cases", ids}})); });
    return Json{{"cases", cases}, {"next_cursor", std::move(next_cursor)}};
  };
  // A filter may skip most of a page: keep reading pages until this one is full or the list ends.
  while (true) {
    auto page = guarded([&] { return store_.list_cases(who.referent, limit, before); });
    for (size_t i = 0; i < page.cases.size(); ++i) {
      const auto& c = page.cases[i];
      before = c.seq;
      // Shared from another department: the token no longer opens it (see accessible_case).
      if (c.owner != who.referent && c.department != who.department) continue;
      if (!overall_filter.empty() && overall(c.requests, now) != overall_filter) continue;
      cases.push_back(case_summary(c, now));
      ids.push_back(c.id);
      if (static_cast<int>(cases.size()) == limit) {
        bool last = i + 1 == page.cases.size() && !page.next_before_seq;
        return answer(last ? Json(nullptr) : Json(std::to_string(c.seq)));
      }
    }
    if (!page.next_before_seq) return answer(nullptr);
  }
}

Json CaseService::add_needs(const Principal& who, const std::string& case_id, const Json& body) {
  store::CaseRecord record = accessible_case(who, case_id);
  auto sealed = guarded([&] { return store_.find_person(case_id); });
  auto person = sealed ? vault_.open(case_id, *sealed) : std::nullopt;
  if (!person) throw ApiError::not_found();
  Json person_json = Json::parse(person->person_json, nullptr, false);
  validate_new_needs(body, person_json);
  for (size_t i = 0; i < body["needs"].size(); ++i) {
    for (const auto& r : record.requests) {
      auto state = parse_request_state(r.state).value_or(RequestState::queued);
      if (r.need == body["needs"][i]["kind"] && !is_terminal(state)) {
        throw ApiError::conflict("this need already has an open request", "needs[" + std::to_string(i) + "].kind");
      }
    }
  }
  int64_t now = clock_();
  std::string at = format_time(now);
  auto requests = new_requests(body["needs"], person_json, record.department, now);
  auto consents = consents_of(body["consent"], who.referent, at);
  try {
    for (int attempt = 1;; ++attempt) {
      try {
        guarded([&] { store_.add_requests(case_id, at, requests, consents, actor_of(who)); });
        break;
      } catch (const store::CorrelationTaken&) {
        if (attempt == kCorrelationAttempts) throw ApiError::unavailable();
        for (auto& request : requests) request.correlation = correlations_();
      }
    }
  } catch (const store::Conflict&) {
    // The database's own one-open-request-per-need rule caught a concurrent addition.
    throw ApiError::conflict("this need already has an open request", "needs");
  }
  work_queued_();
  return case_view(accessible_case(who, case_id), now, routing_);
}

void CaseService::retry(const Principal& who, const std::string& case_id, const std::string& request_id) {
  store::CaseRecord record = accessible_case(who, case_id);
  bool known = std::any_of(record.requests.begin(), record.requests.end(), [&](auto& r) { return r.id == request_id; });
  if (!known) throw ApiError::not_found();
  if (!guarded([&] { return store_.retry_request(request_id, format_time(clock_()), actor_of(who)); })) {
    throw ApiError::conflict("only a failed request can be retried");
  }
  work_queued_();
}

void CaseService::answer(const Principal& who, const std::string& case_id, const std::string& request_id,
                         const Json& body) {
  store::CaseRecord record = accessible_case(who, case_id);
  auto request = std::find_if(record.requests.begin(), record.requests.end(), [&](auto& r) { return r.id == request_id; });
  if (request == record.requests.end()) throw ApiError::not_found();
  if (!body.is_object()) throw ApiError::invalid("", "the request body must be a JSON object");
  std::string text = answer_text(body);
  if (request->state != "info_requested") throw ApiError::conflict("only a request waiting for information can be answered");
  if (!can_answer(*request, routing_)) {
    throw ApiError::conflict(routing_.takes_answers(request->instance)
                                 ? "the agency asked nothing yet: complete the case, then retry the request"
                                 : "this agency takes answers directly: answer it, then retry the request");
  }
  int64_t now = clock_();
  // Its own key: the answer is a new message for the agency, and a retry of it must be the same one.
  std::string key = request->delivery_key + "-answer-" + std::to_string(now);
  auto sealed = guarded([&] { return vault_.seal_for_case(case_id, text, privacy::answer_context(key)); });
  if (!sealed) throw ApiError::not_found();
  if (!guarded([&] { return store_.answer_request(request_id, key, *sealed, format_time(now), actor_of(who)); })) {
    throw ApiError::conflict("only a request waiting for information can be answered");
  }
  work_queued_();
}

void CaseService::withdraw(const Principal& who, const std::string& case_id, const std::string& request_id,
                           const Json& body) {
  store::CaseRecord record = accessible_case(who, case_id);
  bool known = std::any_of(record.requests.begin(), record.requests.end(), [&](auto& r) { return r.id == request_id; });
  if (!known) throw ApiError::not_found();
  if (!body.is_object()) throw ApiError::invalid("", "the request body must be a JSON object");
  std::string reason;
  if (auto it = body.find("reason"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 500) {
      throw ApiError::invalid("reason", "must be a text of 500 characters at most");
    }
    reason = it->get<std::string>();
  }
  std::string at = format_time(clock_());
  if (!guarded([&] { return store_.withdraw_request(request_id, at, reason, "referent", actor_of(who)); })) {
    throw ApiError::conflict("this request is already closed");
  }
  work_queued_();
}

void CaseService::consent(const Principal& who, const std::string& case_id, const Json& body) {
  store::CaseRecord record = accessible_case(who, case_id);
  if (!body.is_object()) throw ApiError::invalid("", "the request body must be a JSON object");
  auto need = body.find("need");
  if (need == body.end() || !need->is_string() || !is_need_kind(need->get<std::string>())) {
    throw ApiError::invalid("need", "must be one of: allowance, employment, housing, childcare, psych_support");
  }
  auto given = body.find("given");
  if (given == body.end() || !given->is_boolean()) throw ApiError::invalid("given", "must be true or false");
  std::string at = format_time(clock_());
  guarded([&] { store_.record_consent(case_id, {*need, given->get<bool>(), at, who.referent, "referent"}); });
  if (given->get<bool>()) return;
  // Without consent the request cannot go on: withdraw it, and tell the agency if it knows.
  for (const auto& r : record.requests) {
    if (r.need == *need && !is_terminal(parse_request_state(r.state).value_or(RequestState::queued))) {
      guarded([&] { return store_.withdraw_request(r.id, at, "consentement retiré", "referent", actor_of(who)); });
    }
  }
  work_queued_();
}

void CaseService::set_frozen(const Principal& who, const std::string& case_id, bool frozen) {
  accessible_case(who, case_id);
  guarded([&] { return store_.set_frozen(case_id, frozen, format_time(clock_()), actor_of(who)); });
  if (!frozen) work_queued_();
}

void CaseService::erase(const Principal& who, const std::string& case_id) {
  owned_case(who, case_id);
  // The key first: once it is gone, nothing of the person can be read anywhere, backups included.
  vault_.erase(case_id);
  guarded([&] { return store_.erase_case(case_id, actor_of(who)); });
}

Json CaseService::delegate(const Principal& who, const std::string& case_id, const Json& body) {
  store::CaseRecord record = owned_case(who, case_id);
  if (!body.is_object()) throw ApiError::invalid("", "the request body must be a JSON object");
  auto referent = body.find("referent");
  if (referent == body.end() || !referent->is_string() || referent->get_ref<const std::string&>().empty() ||
      referent->get_ref<const std::string&>().size() > 200) {
    throw ApiError::invalid("referent", "must be a référent id of 1 to 200 characters");
  }
  const std::string& colleague = referent->get_ref<const std::string&>();
  if (std::any_of(colleague.begin(), colleague.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    throw ApiError::invalid("referent", "must not hold control characters");
  }
  if (colleague == record.owner) throw ApiError::invalid("referent", "is the case's owner");
  guarded([&] { return store_.add_delegate(case_id, colleague, format_time(clock_()), actor_of(who)); });
  return {{"delegates", accessible_case(who, case_id).delegates}};
}

void CaseService::undelegate(const Principal& who, const std::string& case_id, const std::string& referent) {
  store::CaseRecord record = accessible_case(who, case_id);
  // A colleague may give the case back; only the owner may take it from someone else.
  if (record.owner != who.referent && referent != who.referent) {
    throw ApiError::forbidden("only the référent who owns the case may do this");
  }
  if (!guarded([&] { return store_.remove_delegate(case_id, referent, actor_of(who)); })) {
    throw ApiError(404, "not_found", "the case is not shared with this référent");
  }
}

}  // namespace guichet::cases
