// The consolidated status of a case, exactly as GET /v1/cases/{id} shows it (docs/api.md).
#ifndef GUICHET_HUB_CASES_CASE_VIEW_H
#define GUICHET_HUB_CASES_CASE_VIEW_H

#include "hub/cases/routing.h"
#include "hub/store/records.h"

#include <nlohmann/json.hpp>

namespace guichet::cases {

bool is_overdue(const store::RequestRecord& request, int64_t now_ms);
// action_required, in_progress or completed.
std::string overall(const std::vector<store::RequestRecord>& requests, int64_t now_ms);

// Whether the référent can answer the request through the hub: the agency asked a question (not
// the connector's own check before sending, which a corrected retry answers) and its connector
// carries answers. Otherwise the référent answers the agency directly, then retries.
bool can_answer(const store::RequestRecord& request, const Routing& routing);

// `routing` tells which requests can be answered through the hub ("can_answer").
nlohmann::json case_view(const store::CaseRecord& record, int64_t now_ms, const Routing& routing);
// The short form used in lists: no history.
nlohmann::json case_summary(const store::CaseRecord& record, int64_t now_ms);

}  // namespace guichet::cases

#endif
