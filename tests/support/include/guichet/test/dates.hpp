#pragma once
// Dates the tests put in a request, relative to today so that a case stays valid whenever the
// test runs (the intake refuses a proof dated in the future).
#include <ctime>
#include <string>

namespace guichet::test {

// "YYYY-MM-DD", `days` days before today (UTC).
inline std::string days_ago(int days) {
  std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days) * 86400;
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", std::gmtime(&t));
  return text;
}

}  // namespace guichet::test
