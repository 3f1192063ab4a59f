#include "hub/connectors/schema.h"

#include <gtest/gtest.h>

namespace guichet::connectors {
namespace {

Json schema(const char* text) { return Json::parse(text); }

TEST(Schema, TypeMismatchNamesTheRootAndTheType) {
  auto error = validate(schema(R"({"type":"string"})"), 5, "settings");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->path, "settings");
  EXPECT_EQ(error->message, "must be of type string");
}

TEST(Schema, IntegerAcceptsWholeNumbersOnly) {
  Json integer = schema(R"({"type":"integer"})");
  EXPECT_FALSE(validate(integer, 3));
  EXPECT_FALSE(validate(integer, 3.0));
  EXPECT_TRUE(validate(integer, 3.5));
  EXPECT_TRUE(validate(integer, "3"));
  EXPECT_FALSE(validate(schema(R"({"type":"number"})"), 3.5));
}

TEST(Schema, TypeListAcceptsAnyOfThem) {
  Json nullable = schema(R"({"type":["string","null"]})");
  EXPECT_FALSE(validate(nullable, nullptr));
  EXPECT_FALSE(validate(nullable, "x"));
  auto error = validate(nullable, true, "v");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "must be of type string or null");
}

TEST(Schema, RequiredNamesTheMissingMember) {
  auto error = validate(schema(R"({"type":"object","required":["token_url"]})"), Json::object(), "settings");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->path, "settings.token_url");
  EXPECT_EQ(error->message, "is required");
  EXPECT_EQ(validate(schema(R"({"required":["a"]})"), Json::object())->path, "a");
}

TEST(Schema, PropertiesAreCheckedWithTheirPath) {
  Json object = schema(R"({"properties":{"auth":{"properties":{"token_url":{"type":"string","format":"uri"}}}}})");
  auto error = validate(object, Json{{"auth", {{"token_url", "ftp://x"}}}}, "settings");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->path, "settings.auth.token_url");
  EXPECT_EQ(error->message, "must be an http or https URL");
}

TEST(Schema, AdditionalPropertiesFalseOrSchema) {
  Json closed = schema(R"({"properties":{"a":{}},"additionalProperties":false})");
  EXPECT_FALSE(validate(closed, Json{{"a", 1}}));
  auto error = validate(closed, Json{{"a", 1}, {"extra", 2}}, "settings");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->path, "settings.extra");
  EXPECT_EQ(error->message, "is not allowed");

  Json typed = schema(R"({"additionalProperties":{"type":"integer"}})");
  EXPECT_FALSE(validate(typed, Json{{"x", 1}}));
  EXPECT_EQ(validate(typed, Json{{"x", "1"}})->path, "x");
}

TEST(Schema, EnumAndConstNeverQuoteTheValue) {
  auto error = validate(schema(R"({"enum":["a","b"]})"), "secret-value", "mode");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "must be one of the allowed values");
  EXPECT_EQ(std::string(error->message).find("secret-value"), std::string::npos);
  EXPECT_FALSE(validate(schema(R"({"enum":["a",1]})"), 1));
  EXPECT_FALSE(validate(schema(R"({"const":"v1"})"), "v1"));
  EXPECT_TRUE(validate(schema(R"({"const":"v1"})"), "v2"));
}

TEST(Schema, PatternIsSearchedLikeJsonSchema) {
  EXPECT_FALSE(validate(schema(R"({"pattern":"^[0-9]{2}$"})"), "95"));
  EXPECT_TRUE(validate(schema(R"({"pattern":"^[0-9]{2}$"})"), "9a"));
  EXPECT_FALSE(validate(schema(R"({"pattern":"[0-9]"})"), "dept 95"));
  auto invalid = validate(schema(R"({"pattern":"("})"), "x");
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->message, "the schema's pattern is not a valid regular expression");
}

TEST(Schema, LengthsCountCharactersNotBytes) {
  Json one = schema(R"({"minLength":1,"maxLength":1})");
  EXPECT_FALSE(validate(one, "é"));
  EXPECT_EQ(validate(one, "")->message, "must be at least 1 characters long");
  EXPECT_EQ(validate(one, "ab")->message, "must be at most 1 characters long");
}

TEST(Schema, MinimumAndMaximumAreInclusive) {
  Json range = schema(R"({"minimum":1,"maximum":60})");
  EXPECT_FALSE(validate(range, 1));
  EXPECT_FALSE(validate(range, 60));
  EXPECT_EQ(validate(range, 0)->message, "must be at least 1");
  EXPECT_EQ(validate(range, 60.5)->message, "must be at most 60");
}

TEST(Schema, ItemsPathsCarryTheIndex) {
  Json list = schema(R"({"properties":{"items":{"type":"array","minItems":1,"maxItems":3,
      "items":{"type":"object","properties":{"kind":{"enum":["a","b"]}}}}}})");
  Json value = {{"items", {{{"kind", "a"}}, {{"kind", "b"}}, {{"kind", "c"}}}}};
  auto error = validate(list, value);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->path, "items[2].kind");
  EXPECT_EQ(validate(list, Json{{"items", Json::array()}})->message, "must have at least 1 items");
  EXPECT_EQ(validate(list, Json{{"items", {1, 2, 3, 4}}})->message, "must have at most 3 items");
}

TEST(Schema, FormatUriMeansAnHttpUrl) {
  Json uri = schema(R"({"format":"uri"})");
  EXPECT_FALSE(validate(uri, "http://agency.example/api"));
  EXPECT_FALSE(validate(uri, "https://agency.example:8443"));
  EXPECT_TRUE(validate(uri, "ftp://agency.example"));
  EXPECT_TRUE(validate(uri, "not a url"));
  EXPECT_TRUE(validate(uri, "http://"));
  EXPECT_FALSE(validate(schema(R"({"format":"email"})"), "anything"));
}

TEST(Schema, BooleanSchemasAndUnknownKeywords) {
  EXPECT_FALSE(validate(true, 1));
  EXPECT_TRUE(validate(false, 1));
  EXPECT_FALSE(validate(schema(R"({"x-guichet-secret":true,"description":"d"})"), 1));
}

}  // namespace
}  // namespace guichet::connectors
