#include "hub/cases/case_view.h"

#include "hub/domain/request_state.h"
#include "hub/domain/time.h"

#include <algorithm>

namespace guichet::cases {
namespace {

using Json = nlohmann::json;

Json text_or_null(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

RequestState state_of(const store::RequestRecord& request) {
  return parse_request_state(request.state).value_or(RequestState::queued);
}

}  // namespace

bool is_overdue(const store::RequestRecord& request, int64_t now_ms) {
  if (request.deadline.empty() || is_terminal(state_of(request))) return false;
  auto deadline = parse_time(request.deadline);
  return deadline && now_ms > *deadline;
}

std::string overall(const std::vector<store::RequestRecord>& requests, int64_t now_ms) {
  bool open = false;
  for (const auto& request : requests) {
    auto state = state_of(request);
    if (state == RequestState::failed || state == RequestState::info_requested || is_overdue(request, now_ms)) {
      return "action_required";
    }
    open = open || !is_terminal(state);
  }
  return open ? "in_progress" : "completed";
}

bool can_answer(const store::RequestRecord& request, const Routing& routing) {
  if (request.state != "info_requested" || !routing.takes_answers(request.instance)) return false;
  // The history also keeps reports that moved nothing: the question is its last info_requested.
  auto asked = std::find_if(request.history.rbegin(), request.history.rend(),
                            [](const store::HistoryEntry& h) { return h.state == "info_requested"; });
  return asked != request.history.rend() && asked->source != "dispatch";
}

Json case_view(const store::CaseRecord& record, int64_t now_ms, const Routing& routing) {
  Json requests = Json::array();
  for (const auto& r : record.requests) {
    Json history = Json::array();
    for (const auto& h : r.history) {
      Json entry{{"state", h.state}, {"at", h.at}, {"source", h.source}};
      if (!h.detail.empty()) entry["detail"] = h.detail;
      history.push_back(std::move(entry));
    }
    requests.push_back({{"request_id", r.id},
                        {"need", r.need},
                        {"connector", r.instance},
                        {"agency", r.agency},
                        {"state", r.state},
                        {"agency_reference", text_or_null(r.agency_reference)},
                        {"updated_at", r.updated_at},
                        {"deadline", text_or_null(r.deadline)},
                        {"overdue", is_overdue(r, now_ms)},
                        {"retrying", r.retrying},
                        {"can_answer", can_answer(r, routing)},
                        {"message", text_or_null(r.message)},
                        {"history", std::move(history)}});
  }
  return {{"case_id", record.id},
          {"department", record.department},
          {"created_at", record.created_at},
          {"updated_at", record.updated_at},
          {"overall", overall(record.requests, now_ms)},
          {"frozen", record.frozen},
          {"owner", record.owner},
          {"delegates", record.delegates},
          {"requests", std::move(requests)}};
}

Json case_summary(const store::CaseRecord& record, int64_t now_ms) {
  Json requests = Json::array();
  for (const auto& r : record.requests) {
    requests.push_back({{"request_id", r.id},
                        {"need", r.need},
                        {"agency", r.agency},
                        {"state", r.state},
                        {"overdue", is_overdue(r, now_ms)}});
  }
  return {{"case_id", record.id},
          {"created_at", record.created_at},
          {"updated_at", record.updated_at},
          {"overall", overall(record.requests, now_ms)},
          {"requests", std::move(requests)}};
}

}  // namespace guichet::cases
