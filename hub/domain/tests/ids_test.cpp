#include "hub/domain/ids.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <thread>

namespace guichet {

TEST(Ids, HaveTheirShapeAndDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_case_id();
    EXPECT_TRUE(std::regex_match(id, std::regex("c_[0-9A-Za-z]{22}")));
    EXPECT_TRUE(seen.insert(id).second);
  }
  EXPECT_TRUE(std::regex_match(new_request_id(), std::regex("r_[0-9A-Za-z]{22}")));
  EXPECT_TRUE(std::regex_match(new_correlation(), std::regex("GCH-[0-9A-HJKMNP-TV-Z]{8}")));
  EXPECT_TRUE(std::regex_match(new_delivery_key(), std::regex("gch-[0-9A-Za-z]{26}")));
}

TEST(Ids, BeginWithTheTimeTheyWereMintedSoThatLaterOnesSortAfter) {
  auto millis = [](const std::string& id) {
    const std::string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    int64_t value = 0;
    for (char c : id.substr(2, 8)) value = value * 62 + static_cast<int64_t>(digits.find(c));
    return value;
  };
  auto now = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  int64_t before = now();
  std::string first = new_request_id();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::string second = new_request_id();
  int64_t after = now();
  EXPECT_GE(millis(first), before);
  EXPECT_LE(millis(second), after);
  EXPECT_LT(first, second);
}

}  // namespace guichet
