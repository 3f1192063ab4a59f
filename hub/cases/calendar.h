// French working days: no weekends, no public holidays, and in Alsace-Moselle (57, 67, 68) two
// more holidays. Legal deadlines such as the aide universelle d'urgence's "3 working days"
// (CASF L214-10) are counted with it.
//
// Days are counted in metropolitan French standard time (UTC+1); summer time is not applied, so a
// deadline may fall an hour early between March and October, never a day off.
#ifndef GUICHET_HUB_CASES_CALENDAR_H
#define GUICHET_HUB_CASES_CALENDAR_H

#include <cstdint>
#include <string>

namespace guichet::cases {

// `day` counts days since 1970-01-01.
bool is_public_holiday(int64_t day, const std::string& department);
bool is_working_day(int64_t day, const std::string& department);

// The instant `working_days` working days after `from_ms`, at the same time of day. A request
// made on a holiday or a weekend starts counting from the next working day.
int64_t add_working_days(int64_t from_ms, int working_days, const std::string& department);

}  // namespace guichet::cases

#endif
