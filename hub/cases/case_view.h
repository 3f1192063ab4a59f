// The consolidated status of a case, exactly as GET /v1/cases/{id} shows it (docs/api.md).
#ifndef GUICHET_HUB_CASES_CASE_VIEW_H
#define GUICHET_HUB_CASES_CASE_VIEW_H

#include "hub/store/records.h"

#include <nlohmann/json.hpp>

namespace guichet::cases {

bool is_overdue(const store::RequestRecord& request, int64_t now_ms);
// action_required, in_progress or completed.
std::string overall(const std::vector<store::RequestRecord>& requests, int64_t now_ms);

nlohmann::json case_view(const store::CaseRecord& record, int64_t now_ms);
// The short form used in lists: no history.
nlohmann::json case_summary(const store::CaseRecord& record, int64_t now_ms);

}  // namespace guichet::cases

#endif
