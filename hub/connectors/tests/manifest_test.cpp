#include "hub/connectors/errors.h"
#include "hub/connectors/manifest.h"
#include "hub/connectors/plugin.h"
#include "hub/connectors/tests/test_support.h"

#include <gtest/gtest.h>

namespace guichet::connectors {
namespace {

Json valid() {
  return Json::parse(R"({"id":"caf","version":"1.0.0","name":"CAF","abi":1,"needs":["allowance"],
                         "fields":{"person":[],"situation":[]},"capabilities":["render","deliver"]})");
}

// The field named by the ConfigError `json` raises.
std::string failing_field(const Json& json) {
  try {
    Manifest::parse(json);
  } catch (const ConfigError& e) {
    return e.field;
  }
  return "(no error)";
}

TEST(Manifest, ReadsEveryField) {
  Manifest manifest = read_manifest(testing::fixture_dir() / "fixture_echo.json");
  EXPECT_EQ(manifest.id, "fixture_echo");
  EXPECT_EQ(manifest.version, "1.0.0");
  EXPECT_EQ(manifest.name, "Fixture echo agency");
  EXPECT_EQ(manifest.channel, "rest");
  EXPECT_EQ(manifest.abi, 1);
  EXPECT_EQ(manifest.needs, (std::vector<std::string>{"allowance", "housing", "childcare"}));
  EXPECT_EQ(manifest.person_fields, (std::set<std::string>{"birth_name", "given_names"}));
  EXPECT_EQ(manifest.situation_fields, (std::set<std::string>{"safe_channel"}));
  EXPECT_FALSE(manifest.shared_with_household);
  EXPECT_EQ(manifest.capabilities, (std::set<std::string>{"render", "deliver", "poll"}));
  EXPECT_EQ(manifest.settings_schema["required"], Json({"base_url", "token_secret"}));
  EXPECT_EQ(manifest.example_settings["token_secret"], "echo.token");
}

TEST(Manifest, OptionalFieldsDefault) {
  Manifest manifest = Manifest::parse(valid());
  EXPECT_TRUE(manifest.person_fields.empty());  // declared empty: the agency gets nothing personal
  EXPECT_EQ(manifest.settings_schema, Json::object());
  EXPECT_EQ(manifest.example_settings, Json::object());
}

TEST(Manifest, ErrorsNameTheField) {
  Json json = valid();
  json.erase("id");
  EXPECT_EQ(failing_field(json), "id");
  json = valid();
  json["id"] = "Caf 95";
  EXPECT_EQ(failing_field(json), "id");
  json = valid();
  json["abi"] = "1";
  EXPECT_EQ(failing_field(json), "abi");
  json = valid();
  json["needs"] = {"allowance", "housin"};
  EXPECT_EQ(failing_field(json), "needs[1]");
  json = valid();
  json["capabilities"] = {"render", "teleport"};
  EXPECT_EQ(failing_field(json), "capabilities[1]");
  json = valid();
  json["fields"]["person"] = {"nir", 3};
  EXPECT_EQ(failing_field(json), "fields.person[1]");
  json = valid();
  json["fields"]["person"] = {"nir", "religion"};
  EXPECT_EQ(failing_field(json), "fields.person[1]");
  json = valid();
  json["fields"]["situation"] = {"nir"};
  EXPECT_EQ(failing_field(json), "fields.situation[0]");
  json = valid();
  json.erase("fields");
  EXPECT_EQ(failing_field(json), "fields");
  json = valid();
  json["fields"].erase("situation");
  EXPECT_EQ(failing_field(json), "fields.situation");
  json = valid();
  json["shared_with_household"] = "no";
  EXPECT_EQ(failing_field(json), "shared_with_household");
  EXPECT_EQ(failing_field(Json::array()), "");
}

TEST(Manifest, ExampleSettingsMustSatisfyTheSchema) {
  Json json = valid();
  json["settings_schema"] = {{"properties", {{"base_url", {{"format", "uri"}}}}}};
  json["example_settings"] = {{"base_url", "nowhere"}};
  EXPECT_EQ(failing_field(json), "example_settings.base_url");
}

TEST(Manifest, ErrorTextNamesFileAndField) {
  Json json = valid();
  json["needs"] = {"housin"};
  try {
    Manifest::parse(json, "plugins/caf.json");
    FAIL() << "accepted an unknown need kind";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "plugins/caf.json: needs[0]: unknown need kind \"housin\"");
    EXPECT_EQ(e.file, "plugins/caf.json");
  }
}

}  // namespace
}  // namespace guichet::connectors
