#include "hub/cases/deadline.h"

#include "hub/domain/time.h"

#include <gtest/gtest.h>

namespace guichet::cases {
namespace {

using Json = nlohmann::json;

TEST(Deadline, AidUniverselleDurgenceIsFiveWorkingDaysForANewAllocataire) {
  Json rule = Json::parse(R"({"working_days":3,"when_missing":{"person.caf_number":{"working_days":5}}})");
  int64_t monday = *parse_time("2026-11-23T09:00:00Z");
  EXPECT_EQ(format_time(*deadline_ms(rule, monday, Json{{"caf_number", "1234567"}}, "95")), "2026-11-26T09:00:00.000Z");
  EXPECT_EQ(format_time(*deadline_ms(rule, monday, Json::object(), "95")), "2026-11-30T09:00:00.000Z");
}

TEST(Deadline, CalendarForms) {
  int64_t start = *parse_time("2026-11-23T09:00:00Z");
  EXPECT_EQ(*deadline_ms(Json{{"days", 5}}, start, {}, "95"), start + 5 * 86400000LL);
  EXPECT_EQ(*deadline_ms(Json{{"hours", 24}}, start, {}, "95"), start + 86400000LL);
  EXPECT_FALSE(deadline_ms(nullptr, start, {}, "95"));
}

TEST(Deadline, MalformedRulesAreRefusedAtStartUp) {
  EXPECT_THROW(check_deadline_rule(Json{{"weeks", 2}}), std::invalid_argument);
  EXPECT_THROW(check_deadline_rule(Json{{"days", 0}}), std::invalid_argument);
  EXPECT_THROW(check_deadline_rule(Json{{"days", "3"}}), std::invalid_argument);
  EXPECT_THROW(check_deadline_rule(Json::parse(R"({"days":3,"when_missing":{"caf_number":{"days":5}}})")),
               std::invalid_argument);
  EXPECT_NO_THROW(check_deadline_rule(Json::parse(R"({"working_days":3,"when_missing":{"person.caf_number":{"working_days":5}}})")));
}

}  // namespace
}  // namespace guichet::cases
