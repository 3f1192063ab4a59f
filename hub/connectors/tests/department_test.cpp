#include "hub/connectors/department.h"
#include "hub/connectors/errors.h"
#include "hub/connectors/registry.h"
#include "hub/connectors/tests/test_support.h"

#include <gtest/gtest.h>

namespace guichet::connectors {
namespace {

const char* kFile = "config/departments/95.json";

Json valid() {
  return Json::parse(R"({"department":"95","name":"Val-d'Oise","instances":[
      {"instance":"caf-95","plugin":"caf","agency":"CAF du Val-d'Oise","needs":["allowance"],
       "poll_interval_s":60,"deadline":{"days":8},"settings":{"base_url":"http://127.0.0.1:18091"}},
      {"instance":"siao-95","plugin":"mail","agency":"SIAO 95","needs":["housing","childcare"]}]})");
}

// what() of the ConfigError parsing `json` raises.
std::string error_of(const Json& json) {
  try {
    parse_department(json, kFile);
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file, kFile);
    return e.what();
  }
  return "(no error)";
}

TEST(Department, ParsesInstancesInOrder) {
  Department department = parse_department(valid(), kFile);
  EXPECT_EQ(department.code, "95");
  EXPECT_EQ(department.name, "Val-d'Oise");
  ASSERT_EQ(department.instances.size(), 2u);
  const InstanceConfig& caf = department.instances[0];
  EXPECT_EQ(caf.instance, "caf-95");
  EXPECT_EQ(caf.plugin, "caf");
  EXPECT_EQ(caf.department, "95");
  EXPECT_EQ(caf.file, kFile);
  EXPECT_EQ(caf.poll_interval_s, 60);
  EXPECT_EQ(caf.deadline, Json({{"days", 8}}));
  EXPECT_EQ(caf.settings["base_url"], "http://127.0.0.1:18091");
  const InstanceConfig& siao = department.instances[1];
  EXPECT_EQ(siao.needs, (std::vector<std::string>{"housing", "childcare"}));
  EXPECT_EQ(siao.poll_interval_s, 30);
  EXPECT_TRUE(siao.deadline.is_null());
  EXPECT_EQ(siao.settings, Json::object());
}

TEST(Department, UnknownNeedKindNamesFileAndField) {
  Json json = valid();
  json["instances"][1]["needs"][0] = "housin";
  EXPECT_EQ(error_of(json), "config/departments/95.json: instances[1].needs[0]: unknown need kind \"housin\"");
}

TEST(Department, MissingKeysAndWrongTypes) {
  Json json = valid();
  json.erase("instances");
  EXPECT_EQ(error_of(json), "config/departments/95.json: instances: is required");
  json = valid();
  json["department"] = 95;
  EXPECT_EQ(error_of(json), "config/departments/95.json: department: must be a non-empty string");
  json = valid();
  json["instances"][0].erase("plugin");
  EXPECT_EQ(error_of(json), "config/departments/95.json: instances[0].plugin: is required");
  json = valid();
  json["instances"][0]["needs"] = "allowance";
  EXPECT_EQ(error_of(json),
            "config/departments/95.json: instances[0].needs: must be a non-empty array of need kinds");
  json = valid();
  json["instances"][0]["settings"] = Json::array();
  EXPECT_EQ(error_of(json), "config/departments/95.json: instances[0].settings: must be an object");
  json = valid();
  json["instances"][0]["poll_interval_s"] = "30";
  EXPECT_EQ(error_of(json),
            "config/departments/95.json: instances[0].poll_interval_s: must be an integer from 1 to 86400");
  json = valid();
  json["instances"][1] = "siao";
  EXPECT_EQ(error_of(json), "config/departments/95.json: instances[1]: must be an object");
}

TEST(Department, ANeedMayBeServedBySeveralInstances) {
  Json json = valid();
  json["instances"][1]["needs"] = {"allowance"};
  Department department = parse_department(json, kFile);
  EXPECT_EQ(department.instances[0].needs, department.instances[1].needs);
}

TEST(Department, OneInstanceListsANeedOnce) {
  Json json = valid();
  json["instances"][1]["needs"] = {"housing", "housing"};
  EXPECT_EQ(error_of(json), "config/departments/95.json: instances[1].needs[1]: need kind \"housing\" is listed twice");
}

TEST(Department, InstanceFieldsAreParsedWhenDeclared) {
  Json json = valid();
  json["instances"][1]["fields"] = {{"person", {"birth_name", "phone"}}, {"situation", Json::array()}};
  Department department = parse_department(json, kFile);
  EXPECT_FALSE(department.instances[0].fields.has_value());
  ASSERT_TRUE(department.instances[1].fields.has_value());
  EXPECT_EQ(department.instances[1].fields->person, (std::set<std::string>{"birth_name", "phone"}));
  EXPECT_TRUE(department.instances[1].fields->situation.empty());
}

TEST(Department, InstanceFieldsMustBeKnownAndComplete) {
  auto with_fields = [](Json fields) {
    Json json = valid();
    json["instances"][1]["fields"] = std::move(fields);
    return json;
  };
  EXPECT_EQ(error_of(with_fields({{"person", {"birth_name"}}})),
            "config/departments/95.json: instances[1].fields.situation: is required (an empty list declares nothing)");
  EXPECT_EQ(error_of(with_fields({{"person", {"narrative"}}, {"situation", Json::array()}})),
            "config/departments/95.json: instances[1].fields.person[0]: unknown field \"narrative\"");
  EXPECT_EQ(error_of(with_fields({{"person", Json::array()}, {"situation", {"proof", "proof"}}})),
            "config/departments/95.json: instances[1].fields.situation[1]: is listed twice");
  EXPECT_EQ(error_of(with_fields({{"people", Json::array()}})),
            "config/departments/95.json: instances[1].fields.people: unknown group (person or situation)");
  EXPECT_EQ(error_of(with_fields(Json::array())),
            "config/departments/95.json: instances[1].fields: must be an object: {\"person\": [...], \"situation\": [...]}");
}

TEST(Department, SettingsMayNotUseTheReservedFieldsKey) {
  Json json = valid();
  json["instances"][0]["settings"]["_fields"] = {{"person", {"nir"}}};
  EXPECT_EQ(error_of(json), "config/departments/95.json: instances[0].settings._fields: is reserved: declare "
                            "fields in the instance's \"fields\"");
}

TEST(Department, InstanceNamesAreUnique) {
  Json json = valid();
  json["instances"][1]["instance"] = "caf-95";
  EXPECT_EQ(error_of(json),
            "config/departments/95.json: instances[1].instance: instance name \"caf-95\" is used twice");
}

TEST(Department, RegistryRefusesAMalformedFile) {
  testing::TempDir dir;
  testing::write_file(dir / "95.json", "{\"department\": \"95\",");
  RegistryOptions options;
  options.departments_dir = dir.path();
  try {
    Registry registry(options);
    FAIL() << "accepted a department file that is not JSON";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file, (dir / "95.json").string());
    EXPECT_EQ(e.message, "is not valid JSON");
  }
}

TEST(Department, RegistryRefusesADepartmentDefinedTwice) {
  testing::TempDir dir;
  testing::write_file(dir / "95.json", valid().dump());
  testing::write_file(dir / "95-bis.json", valid().dump());
  RegistryOptions options;
  options.departments_dir = dir.path();
  try {
    Registry registry(options);
    FAIL() << "accepted department 95 twice";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file, (dir / "95.json").string());
    EXPECT_EQ(e.field, "department");
  }
}

}  // namespace
}  // namespace guichet::connectors
