// The life of one agency request, as the référent sees it (docs/api.md "state of a request").
#ifndef GUICHET_HUB_DOMAIN_REQUEST_STATE_H
#define GUICHET_HUB_DOMAIN_REQUEST_STATE_H

#include <optional>
#include <string_view>

namespace guichet {

enum class RequestState {
  queued, sent, acknowledged, in_review, info_requested, accepted, refused, closed, withdrawn, failed
};

const char* to_string(RequestState state);
std::optional<RequestState> parse_request_state(std::string_view text);

// accepted, refused, closed and withdrawn are final: nothing moves a request out of them.
bool is_terminal(RequestState state);

// Whether an agency's report of `next` may replace `current`. Agencies report out of order
// (a webhook overtakes a poll), so a report that would move the request backwards is kept in
// the history but does not change the state.
bool agency_may_move(RequestState current, RequestState next);

}  // namespace guichet

#endif
