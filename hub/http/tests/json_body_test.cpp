#include "hub/http/json_body.h"

#include "hub/cases/api_error.h"

#include <gtest/gtest.h>

namespace guichet::http {
namespace {

int status_of(const std::string& body) {
  try {
    parse_json_body(body);
  } catch (const cases::ApiError& e) {
    EXPECT_EQ(e.code(), "invalid_json");
    return e.status();
  }
  return 200;
}

TEST(JsonBody, AcceptsOrdinaryDocuments) {
  EXPECT_EQ(parse_json_body(R"({"a":[1,{"b":"é"}]})")["a"][1]["b"], "é");
}

TEST(JsonBody, RefusesWhatALenientParserWouldTake) {
  EXPECT_EQ(status_of(""), 400);
  EXPECT_EQ(status_of("{"), 400);
  EXPECT_EQ(status_of("not json"), 400);
  EXPECT_EQ(status_of(R"({"a":1,"a":2})"), 400);
  EXPECT_EQ(status_of(R"({"a":{"b":1,"b":1}})"), 400);
  EXPECT_EQ(status_of("\"\xff\xfe\""), 400);
  EXPECT_EQ(status_of(std::string(100000, '[')), 400);
  EXPECT_EQ(status_of(std::string(17, '[') + std::string(17, ']')), 400);
  EXPECT_EQ(status_of(std::string(16, '[') + std::string(16, ']')), 200);
}

TEST(JsonBody, SameKeyInSiblingObjectsIsFine) {
  EXPECT_EQ(status_of(R"([{"a":1},{"a":2}])"), 200);
}

}  // namespace
}  // namespace guichet::http
