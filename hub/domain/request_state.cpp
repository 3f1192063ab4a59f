#include "hub/domain/request_state.h"

#include <array>
#include <utility>

namespace guichet {
namespace {

constexpr std::array<std::pair<RequestState, const char*>, 10> kNames{{
    {RequestState::queued, "queued"},
    {RequestState::sent, "sent"},
    {RequestState::acknowledged, "acknowledged"},
    {RequestState::in_review, "in_review"},
    {RequestState::info_requested, "info_requested"},
    {RequestState::accepted, "accepted"},
    {RequestState::refused, "refused"},
    {RequestState::closed, "closed"},
    {RequestState::withdrawn, "withdrawn"},
    {RequestState::failed, "failed"},
}};

// How far along the agency's own process a state is. in_review and info_requested share a rank:
// an agency may ask a question while reviewing, and go back to reviewing once answered.
int progress(RequestState state) {
  switch (state) {
    case RequestState::queued:
    case RequestState::failed: return 0;
    case RequestState::sent: return 1;
    case RequestState::acknowledged: return 2;
    case RequestState::in_review:
    case RequestState::info_requested: return 3;
    default: return 4;
  }
}

}  // namespace

const char* to_string(RequestState state) {
  for (const auto& [value, name] : kNames) {
    if (value == state) return name;
  }
  return "queued";
}

std::optional<RequestState> parse_request_state(std::string_view text) {
  for (const auto& [value, name] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

bool is_terminal(RequestState state) {
  return state == RequestState::accepted || state == RequestState::refused ||
         state == RequestState::closed || state == RequestState::withdrawn;
}

bool agency_may_move(RequestState current, RequestState next) {
  if (is_terminal(current)) return false;
  return progress(next) >= progress(current);
}

}  // namespace guichet
