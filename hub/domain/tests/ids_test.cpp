#include "hub/domain/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

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
}

}  // namespace guichet
