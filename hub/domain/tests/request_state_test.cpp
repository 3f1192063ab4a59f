#include "hub/domain/request_state.h"

#include <gtest/gtest.h>

namespace guichet {

TEST(RequestState, NamesRoundTrip) {
  for (auto state : {RequestState::queued, RequestState::sent, RequestState::acknowledged,
                     RequestState::in_review, RequestState::info_requested, RequestState::accepted,
                     RequestState::refused, RequestState::closed, RequestState::withdrawn,
                     RequestState::failed}) {
    EXPECT_EQ(parse_request_state(to_string(state)), state);
  }
  EXPECT_FALSE(parse_request_state("done").has_value());
}

TEST(RequestState, TerminalStatesNeverMove) {
  for (auto terminal : {RequestState::accepted, RequestState::refused, RequestState::closed,
                        RequestState::withdrawn}) {
    EXPECT_TRUE(is_terminal(terminal));
    EXPECT_FALSE(agency_may_move(terminal, RequestState::in_review));
    EXPECT_FALSE(agency_may_move(terminal, RequestState::accepted));
  }
  EXPECT_FALSE(is_terminal(RequestState::failed));
}

TEST(RequestState, AgencyReportsNeverMoveBackwards) {
  EXPECT_TRUE(agency_may_move(RequestState::sent, RequestState::acknowledged));
  EXPECT_TRUE(agency_may_move(RequestState::acknowledged, RequestState::in_review));
  EXPECT_TRUE(agency_may_move(RequestState::in_review, RequestState::info_requested));
  EXPECT_TRUE(agency_may_move(RequestState::info_requested, RequestState::in_review));
  EXPECT_TRUE(agency_may_move(RequestState::in_review, RequestState::refused));
  EXPECT_FALSE(agency_may_move(RequestState::in_review, RequestState::acknowledged));
  EXPECT_FALSE(agency_may_move(RequestState::acknowledged, RequestState::sent));
}

}  // namespace guichet
