#include "hub/review/review_queue.h"

#include "hub/domain/request_state.h"
#include "hub/store/audit_chain.h"

#include <Poco/UUIDGenerator.h>

namespace guichet::review {
namespace {

using cases::ApiError;
using Json = nlohmann::json;

constexpr size_t kMaxMessage = 500;

ApiError no_such_item() { return ApiError(404, "not_found", "no such review item"); }

// A mail matched to a case is sealed with the case's key (erasing the case erases it); any other
// with a key of its own, named after the item.
std::string key_of(const store::ReviewItem& item) {
  return item.case_id.empty() ? "review/" + item.id : item.case_id;
}
std::string context_of(const std::string& id) { return id + "/review"; }

std::string new_item_id() {
  std::string uuid = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  std::string id = "m_";
  for (char c : uuid) {
    if (c != '-') id += c;
  }
  return id;
}

// What a référent may file: an agency's own states. queued and failed are the hub's; withdrawn is
// the référent's own action, with its own route.
bool fileable(RequestState state) {
  return state != RequestState::queued && state != RequestState::failed && state != RequestState::withdrawn &&
         state != RequestState::sent;
}

}  // namespace

ReviewQueue::ReviewQueue(store::Store& store, privacy::Vault& vault, Clock clock)
    : store_(store), vault_(vault), clock_(std::move(clock)) {}

bool ReviewQueue::add(const IncomingMail& mail) {
  store::ReviewItem item;
  item.id = new_item_id();
  item.mail_id = mail.mail_id;
  item.department = mail.request ? mail.request->department : mail.department;
  item.owner = mail.request ? mail.request->owner : "";
  item.instance = mail.request ? mail.request->instance : mail.instance;
  item.request_id = mail.request ? mail.request->request_id : "";
  item.case_id = mail.request ? mail.request->case_id : "";
  item.received_at = format_time(clock_());
  std::string plain = Json{{"from", mail.from}, {"subject", mail.subject}, {"text", mail.text}, {"summary", mail.summary}}
                          .dump(-1, ' ', false, Json::error_handler_t::replace);
  if (item.case_id.empty()) {
    item.sealed = vault_.seal_alone(key_of(item), plain, context_of(item.id));
  } else {
    auto sealed = vault_.seal_for_case(item.case_id, plain, context_of(item.id));
    if (!sealed) {
      // The case was erased while its mail was on its way: keep nothing of it.
      return false;
    }
    item.sealed = *sealed;
  }
  bool added = store_.add_review_item(item);
  if (!added && item.case_id.empty()) vault_.forget(key_of(item));
  return added;
}

bool ReviewQueue::for_them(const cases::Principal& who, const std::string& owner, const std::string& case_id) {
  if (owner == who.referent) return true;
  auto record = store_.find_case(case_id);
  return record && cases::works_on(*record, who);
}

Json ReviewQueue::list(const cases::Principal& who) {
  Json items = Json::array();
  for (const auto& item : store_.review_items(who.department)) {
    if (!item.owner.empty() && !for_them(who, item.owner, item.case_id)) continue;
    auto plain = vault_.open_text(key_of(item), item.sealed, context_of(item.id));
    if (!plain) continue;  // its case was erased meanwhile
    Json mail = Json::parse(*plain);
    Json entry{{"id", item.id}, {"received_at", item.received_at}, {"instance", item.instance},
               {"request_id", item.request_id.empty() ? Json() : Json(item.request_id)},
               {"case_id", item.case_id.empty() ? Json() : Json(item.case_id)},
               {"from", mail.value("from", "")}, {"subject", mail.value("subject", "")},
               {"text", mail.value("text", "")}, {"summary", mail.value("summary", "")}};
    items.push_back(std::move(entry));
  }
  return {{"items", items}};
}

store::ReviewItem ReviewQueue::visible_item(const cases::Principal& who, const std::string& id) {
  auto item = store_.find_review_item(id);
  // Someone else's item is answered as if it did not exist: its existence is not hers to know.
  if (!item || item->department != who.department ||
      (!item->owner.empty() && !for_them(who, item->owner, item->case_id))) {
    throw no_such_item();
  }
  return *item;
}

Json ReviewQueue::file(const cases::Principal& who, const std::string& id, const Json& body) {
  store::ReviewItem item = visible_item(who, id);
  if (!body.is_object()) throw ApiError::invalid("", "body must be a JSON object");
  std::string request_id = item.request_id;
  if (body.contains("request_id")) {
    if (!body["request_id"].is_string()) throw ApiError::invalid("request_id", "must be a request id");
    request_id = body["request_id"].get<std::string>();
  }
  if (request_id.empty()) throw ApiError::invalid("request_id", "required: this mail matched no request");
  auto state_field = body.find("state");
  if (state_field == body.end() || !state_field->is_string()) throw ApiError::invalid("state", "required");
  auto state = parse_request_state(state_field->get<std::string>());
  if (!state || !fileable(*state)) {
    throw ApiError::invalid("state", "must be acknowledged, in_review, info_requested, accepted, refused or closed");
  }
  std::string message;
  if (body.contains("message")) {
    if (!body["message"].is_string()) throw ApiError::invalid("message", "must be text");
    message = body["message"].get<std::string>();
    if (message.size() > kMaxMessage) throw ApiError::invalid("message", "at most 500 bytes");
  }
  auto request = store_.find_request(request_id);
  if (!request || request->department != who.department || !for_them(who, request->owner, request->case_id)) {
    throw ApiError(404, "not_found", "no such request", "request_id");
  }

  store::AgencyEvent event;
  event.instance = request->instance;
  event.request_id = request_id;
  event.state = to_string(*state);
  event.at = event.recorded_at = format_time(clock_());
  event.source = "referent";
  event.message = message;
  if (!store_.file_review_item(item.id, event, store::referent_actor(who.referent))) {
    throw ApiError::conflict("the request is already past this state, or settled", "state");
  }
  discard_text(item);
  return {{"id", item.id}, {"request_id", request_id}, {"state", event.state}};
}

void ReviewQueue::dismiss(const cases::Principal& who, const std::string& id) {
  store::ReviewItem item = visible_item(who, id);
  if (!store_.dismiss_review_item(item.id, format_time(clock_()), store::referent_actor(who.referent))) throw no_such_item();
  discard_text(item);
}

void ReviewQueue::discard_text(const store::ReviewItem& item) {
  // The store dropped the sealed text; a mail sealed alone also loses its key, so that any copy
  // of it (a backup) can no longer be opened.
  if (item.case_id.empty()) vault_.forget(key_of(item));
}

}  // namespace guichet::review
