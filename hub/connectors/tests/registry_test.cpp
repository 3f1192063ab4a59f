#include "hub/connectors/errors.h"
#include "hub/connectors/registry.h"
#include "hub/connectors/tests/test_support.h"

#include <gtest/gtest.h>

#include <fstream>

namespace guichet::connectors {
namespace {

using testing::TempDir;
using testing::TestServer;
using testing::write_file;

constexpr int64_t kNow = 1795000000000;

const PluginReport* report_for(const Registry& registry, const std::string& id) {
  for (const PluginReport& report : registry.plugins()) {
    if (report.id == id) return &report;
  }
  return nullptr;
}

std::string manifest_text(const std::string& id, int abi = 1) {
  return Json{{"id", id}, {"version", "1.0.0"}, {"name", id}, {"abi", abi}, {"needs", {"allowance"}},
              {"fields", {{"person", Json::array()}, {"situation", Json::array()}}}, {"capabilities", {"render", "deliver"}}}
      .dump();
}

// A plugin directory holding the good fixture and one plugin for each reason to refuse one.
class Rejections : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"fixture_echo", "fixture_other_id", "fixture_wrong_abi", "fixture_null_entry",
                           "fixture_short_table", "fixture_no_poll", "fixture_no_entry", "fixture_undefined"}) {
      testing::copy_fixture(id, plugins.path());
    }
    testing::write_truncated_library(plugins / "truncated.so", 2048);
    write_file(plugins / "truncated.json", manifest_text("truncated"));
    testing::write_truncated_library(plugins / "header_only.so", 16);
    write_file(plugins / "header_only.json", manifest_text("header_only"));
    // The next ones could not be loaded either: a manifest refused must stop before dlopen.
    testing::write_truncated_library(plugins / "not_json.so", 2048);
    write_file(plugins / "not_json.json", "{\"id\": \"not_json\",");
    testing::write_truncated_library(plugins / "no_manifest.so", 2048);
    testing::write_truncated_library(plugins / "future_abi.so", 2048);
    write_file(plugins / "future_abi.json", manifest_text("future_abi", 2));
    testing::write_truncated_library(plugins / "renamed.so", 2048);
    write_file(plugins / "renamed.json", manifest_text("original"));
    testing::write_truncated_library(plugins / "invalid_manifest.so", 2048);
    write_file(plugins / "invalid_manifest.json", R"({"id":"invalid_manifest","version":"1"})");
  }

  std::string reason(const std::string& id) {
    const PluginReport* report = report_for(*registry, id);
    if (!report) return "(no report)";
    EXPECT_EQ(report->state, "rejected") << id;
    return report->reason;
  }

  void load() {
    RegistryOptions options;
    options.plugin_dir = plugins.path();
    registry = std::make_unique<Registry>(options);
  }

  TempDir plugins;
  std::unique_ptr<Registry> registry;
};

TEST_F(Rejections, EachBadPluginIsRejectedWithItsReason) {
  load();
  EXPECT_EQ(registry->plugins().size(), 15u);
  EXPECT_EQ(reason("fixture_other_id"), "table id \"someone_else\" differs from the manifest's \"fixture_other_id\"");
  EXPECT_EQ(reason("fixture_wrong_abi"), "table has ABI major 2, expected 1");
  EXPECT_EQ(reason("fixture_null_entry"), "entry returned no table for ABI major 1");
  EXPECT_NE(reason("fixture_short_table").find("table too small: 16 bytes"), std::string::npos);
  EXPECT_EQ(reason("fixture_no_poll"), "manifest declares \"poll\" but the table has no function for it");
  EXPECT_EQ(reason("fixture_no_entry"), "does not export guichet_connector_entry_v1");
  EXPECT_EQ(reason("truncated"), "cannot be loaded: file is truncated");
  EXPECT_EQ(reason("header_only"), "cannot be loaded: not an ELF file");
  std::string undefined = reason("fixture_undefined");
  EXPECT_EQ(undefined.rfind("cannot be loaded: ", 0), 0u) << undefined;
  EXPECT_NE(undefined.find("dlerror"), std::string::npos) << undefined;
  EXPECT_NE(undefined.find("undefined symbol: fixture_missing_function"), std::string::npos) << undefined;
  EXPECT_NE(reason("not_json").find("not_json.json: is not valid JSON"), std::string::npos);
  EXPECT_NE(reason("no_manifest").find("no_manifest.json: cannot be read"), std::string::npos);
  EXPECT_EQ(reason("future_abi"), "manifest abi 2, the hub speaks 1");
  EXPECT_EQ(reason("renamed"), "manifest id \"original\" differs from the file name");
  EXPECT_NE(reason("invalid_manifest").find("invalid_manifest.json: name: is required"), std::string::npos);
}

TEST_F(Rejections, TheGoodPluginStillLoadsAndWorks) {
  load();
  const PluginReport* echo = report_for(*registry, "fixture_echo");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->state, "loaded");
  EXPECT_EQ(echo->version, "1.0.0");
  EXPECT_EQ(echo->reason, "");
  EXPECT_EQ(echo->file, (plugins / "fixture_echo.so").string());

  TempDir departments;
  write_file(departments / "95.json", R"({"department":"95","name":"Val-d'Oise","instances":[
      {"instance":"echo-95","plugin":"fixture_echo","agency":"Echo","needs":["allowance"],
       "settings":{"base_url":"http://127.0.0.1:1","token_secret":"t"}}]})");
  RegistryOptions options;
  options.plugin_dir = plugins.path();
  options.departments_dir = departments.path();
  Registry with_instances(options);
  auto serving = with_instances.routes("95", "allowance");
  ASSERT_EQ(serving.size(), 1u);
  auto instance = serving[0];
  EXPECT_EQ(instance->render(Json{{"request_id", "r1"}}), Json({{"echo", {{"request_id", "r1"}}}}));
}

TEST(PluginLoad, VersionMustMatchTheManifest) {
  TempDir plugins;
  std::filesystem::copy_file(testing::fixture_dir() / "fixture_echo.so", plugins / "fixture_echo.so");
  Json manifest = Json::parse(std::ifstream(testing::fixture_dir() / "fixture_echo.json"));
  manifest["version"] = "2.0.0";
  write_file(plugins / "fixture_echo.json", manifest.dump());
  RegistryOptions options;
  options.plugin_dir = plugins.path();
  Registry registry(options);
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.plugins()[0].reason, "table version \"1.0.0\" differs from the manifest's \"2.0.0\"");
}

// One department served by the echo fixture, with one instance for each way an instance fails.
class Instances : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::copy_fixture("fixture_echo", plugins.path());
    testing::copy_fixture("fixture_no_entry", plugins.path());
    write_file(secrets / "secrets.json", R"({"echo.token":"s3cret"})");
    write_department("95", server.url());
  }

  void write_department(const std::string& code, const std::string& base_url) {
    Json settings = {{"base_url", base_url}, {"token_secret", "echo.token"}};
    Json json = {{"department", code}, {"name", "Department " + code}, {"instances", Json::array()}};
    auto add = [&](const char* name, const char* plugin, const char* need, Json instance_settings) {
      json["instances"].push_back({{"instance", name}, {"plugin", plugin}, {"agency", "Agency"},
                                   {"needs", {need}}, {"settings", instance_settings}});
    };
    add("echo-95", "fixture_echo", "allowance", settings);
    Json ftp = settings;
    ftp["base_url"] = "ftp://127.0.0.1";
    add("bad-settings", "fixture_echo", "housing", ftp);
    add("no-plugin", "fixture_missing", "employment", settings);
    add("rejected-plugin", "fixture_no_entry", "psych_support", settings);
    Json failing = settings;
    failing["fail_create"] = true;
    add("failing-create", "fixture_echo", "childcare", failing);
    write_file(departments / (code + ".json"), json.dump(2));
  }

  std::unique_ptr<Registry> load() {
    RegistryOptions options;
    options.plugin_dir = plugins.path();
    options.departments_dir = departments.path();
    options.secrets_file = secrets / "secrets.json";
    options.now_ms = [] { return kNow; };
    return std::make_unique<Registry>(options);
  }

  std::string file() const { return (departments / "95.json").string(); }

  TestServer server;
  TempDir plugins, departments, secrets;
};

TEST_F(Instances, RejectedInstancesSayWhereAndWhy) {
  auto registry = load();
  std::map<std::string, InstanceReport> reports;
  for (InstanceReport& report : registry->instances()) reports[report.instance] = report;
  ASSERT_EQ(reports.size(), 5u);

  EXPECT_EQ(reports["echo-95"].state, InstanceState::ready);
  EXPECT_EQ(reports["echo-95"].version, "1.0.0");
  EXPECT_EQ(reports["echo-95"].departments, std::vector<std::string>{"95"});
  EXPECT_EQ(reports["echo-95"].last_error, "");

  EXPECT_EQ(reports["bad-settings"].state, InstanceState::rejected);
  EXPECT_EQ(reports["bad-settings"].last_error, file() + ": instances[1].settings.base_url: must be an http or https URL");
  EXPECT_EQ(reports["no-plugin"].last_error, file() + ": instances[2].plugin: plugin \"fixture_missing\" is not loaded");
  EXPECT_EQ(reports["rejected-plugin"].last_error,
            file() + ": instances[3].plugin: plugin \"fixture_no_entry\" is not loaded: does not export guichet_connector_entry_v1");
  EXPECT_EQ(reports["failing-create"].last_error, file() + ": instances[4]: create failed: asked to fail at create");
  for (const char* name : {"bad-settings", "no-plugin", "rejected-plugin", "failing-create"}) {
    EXPECT_EQ(registry->state(name), InstanceState::rejected) << name;
    EXPECT_EQ(registry->find(name), nullptr) << name;
  }
}

TEST_F(Instances, NeedsMustBeServedByThePlugin) {
  write_file(departments / "95.json", R"({"department":"95","name":"Val-d'Oise","instances":[
      {"instance":"echo-95","plugin":"fixture_echo","agency":"Echo","needs":["employment"],
       "settings":{"base_url":"http://127.0.0.1:1","token_secret":"t"}}]})");
  auto registry = load();
  EXPECT_EQ(registry->instances().at(0).last_error,
            file() + ": instances[0].needs[0]: plugin \"fixture_echo\" does not serve \"employment\"");
}

TEST_F(Instances, RouteAndFind) {
  auto registry = load();
  auto echo = registry->find("echo-95");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(registry->routes("95", "allowance"), std::vector<std::shared_ptr<Instance>>{echo});
  EXPECT_EQ(echo->config().agency, "Agency");
  EXPECT_EQ(echo->config().department, "95");
  EXPECT_EQ(echo->manifest().id, "fixture_echo");
  EXPECT_TRUE(echo->has_capability("poll"));
  EXPECT_FALSE(echo->has_capability("on_email"));
  EXPECT_TRUE(registry->routes("95", "housing").empty());    // its instance is rejected
  EXPECT_TRUE(registry->routes("95", "employment").empty());
  EXPECT_TRUE(registry->routes("93", "allowance").empty());
  EXPECT_EQ(registry->find("nobody"), nullptr);
  EXPECT_TRUE(registry->has_department("95"));
  EXPECT_FALSE(registry->has_department("93"));
}

TEST_F(Instances, StateChanges) {
  auto registry = load();
  EXPECT_EQ(registry->state("echo-95"), InstanceState::ready);
  registry->set_state("echo-95", InstanceState::degraded, "HTTP 401 from the agency");
  EXPECT_EQ(registry->state("echo-95"), InstanceState::degraded);
  EXPECT_FALSE(registry->routes("95", "allowance").empty());
  registry->set_state("echo-95", InstanceState::rejected, "withdrawn by an operator");
  EXPECT_TRUE(registry->routes("95", "allowance").empty());
  EXPECT_NE(registry->find("echo-95"), nullptr);
  EXPECT_THROW(registry->state("nobody"), std::out_of_range);
  EXPECT_THROW(registry->set_state("bad-settings", InstanceState::ready, ""), std::logic_error);
  EXPECT_STREQ(to_string(InstanceState::quarantined), "quarantined");
}

TEST_F(Instances, DeliverUsesHostHttpAndSecrets) {
  auto registry = load();
  auto echo = registry->routes("95", "allowance").at(0);
  Json outcome = echo->deliver(Json{{"request_id", "r1"}, {"idempotency_key", "k1"}});
  EXPECT_EQ(outcome, Json({{"result", "acknowledged"}, {"agency_reference", "REF-1"}}));
  auto received = server.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].uri, "/echo");
  EXPECT_EQ(received[0].headers["authorization"], "Bearer s3cret");
  EXPECT_EQ(received[0].headers["idempotency-key"], "k1");
  EXPECT_EQ(Json::parse(received[0].body)["request_id"], "r1");
  EXPECT_EQ(echo->poll(Json::object())["cursor"], kNow);
}

TEST_F(Instances, PluginFailuresBecomeCallErrors) {
  write_department("95", "http://127.0.0.1:" + std::to_string(testing::closed_port()));
  auto registry = load();
  auto echo = registry->find("echo-95");
  try {
    echo->deliver(Json{{"request_id", "r1"}});
    FAIL() << "delivered to a closed port";
  } catch (const CallError& e) {
    EXPECT_EQ(e.status, GUICHET_ERROR);
    EXPECT_TRUE(e.transient());
    EXPECT_NE(std::string(e.what()).find("connection refused"), std::string::npos);
  }
  try {
    echo->on_email(Json::object());
    FAIL() << "on_email is not declared";
  } catch (const CallError& e) {
    EXPECT_EQ(e.status, GUICHET_UNSUPPORTED);
    EXPECT_FALSE(e.transient());
  }
}

TEST_F(Instances, AnInstanceOutlivesItsRegistry) {
  std::shared_ptr<Instance> echo = load()->find("echo-95");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->render(Json{{"a", 1}}), Json({{"echo", {{"a", 1}}}}));
}

TEST_F(Instances, OneInstanceMayServeSeveralDepartments) {
  write_department("93", server.url());  // same definitions under the same names
  auto registry = load();
  EXPECT_EQ(registry->routes("93", "allowance"), registry->routes("95", "allowance"));
  for (const InstanceReport& report : registry->instances()) {
    if (report.instance == "echo-95") {
      EXPECT_EQ(report.departments, (std::vector<std::string>{"93", "95"}));
    }
  }
}

TEST_F(Instances, AnInstanceNameMeansOneDefinition) {
  write_department("93", "http://127.0.0.1:1");
  try {
    load();
    FAIL() << "accepted two definitions of echo-95";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file, file());
    EXPECT_EQ(e.field, "instances[0].instance");
  }
}

// The echo instance alone, with `fields` as its own declaration (none when null).
void write_echo_department(const std::filesystem::path& departments, const std::string& base_url, const Json& fields) {
  Json instance = {{"instance", "echo-95"}, {"plugin", "fixture_echo"}, {"agency", "Echo"}, {"needs", {"allowance"}},
                   {"settings", {{"base_url", base_url}, {"token_secret", "echo.token"}}}};
  if (!fields.is_null()) instance["fields"] = fields;
  write_file(departments / "95.json", Json({{"department", "95"}, {"name", "Val-d'Oise"}, {"instances", {instance}}}).dump());
}

TEST_F(Instances, AnInstanceMayNarrowTheManifestsFields) {
  write_echo_department(departments.path(), server.url(), {{"person", {"birth_name"}}, {"situation", Json::array()}});
  auto registry = load();
  auto echo = registry->find("echo-95");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->fields(), (FieldSet{{"birth_name"}, {}}));
}

TEST_F(Instances, WithoutItsOwnDeclarationAnInstanceGetsTheManifestsFields) {
  write_echo_department(departments.path(), server.url(), nullptr);
  auto echo = load()->find("echo-95");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->fields(), (FieldSet{{"birth_name", "given_names"}, {"safe_channel"}}));
}

TEST_F(Instances, AnInstanceCannotWidenTheManifestsFields) {
  write_echo_department(departments.path(), server.url(), {{"person", {"birth_name", "nir"}}, {"situation", Json::array()}});
  auto registry = load();
  EXPECT_EQ(registry->state("echo-95"), InstanceState::rejected);
  EXPECT_EQ(registry->instances().at(0).last_error,
            file() + ": instances[0].fields: field person.nir is not allowed by plugin \"fixture_echo\"");
}

TEST_F(Instances, AGenericPluginsInstanceMustDeclareItsFields) {
  Json manifest = Json::parse(std::ifstream(plugins / "fixture_echo.json"));
  manifest["fields_from_instance"] = true;
  write_file(plugins / "fixture_echo.json", manifest.dump());

  write_echo_department(departments.path(), server.url(), nullptr);
  auto registry = load();
  EXPECT_EQ(registry->state("echo-95"), InstanceState::rejected);
  EXPECT_NE(registry->instances().at(0).last_error.find(
                file() + ": instances[0].fields: is required: plugin \"fixture_echo\" sends only the fields each "
                         "instance declares"),
            std::string::npos)
      << registry->instances().at(0).last_error;

  write_echo_department(departments.path(), server.url(), {{"person", {"given_names"}}, {"situation", {"safe_channel"}}});
  auto echo = load()->find("echo-95");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->fields(), (FieldSet{{"given_names"}, {"safe_channel"}}));
}

TEST_F(Instances, ANeedServedBySeveralInstancesRoutesToEachInOrder) {
  Json settings = {{"base_url", server.url()}, {"token_secret", "echo.token"}};
  Json instances = Json::array();
  for (const char* name : {"echo-b", "echo-a"}) {
    instances.push_back({{"instance", name}, {"plugin", "fixture_echo"}, {"agency", name}, {"needs", {"housing"}},
                         {"settings", settings}});
  }
  write_file(departments / "95.json", Json({{"department", "95"}, {"name", "Val-d'Oise"}, {"instances", instances}}).dump());
  auto registry = load();
  EXPECT_EQ(registry->routes("95", "housing"),
            (std::vector<std::shared_ptr<Instance>>{registry->find("echo-b"), registry->find("echo-a")}));
  registry->set_state("echo-b", InstanceState::rejected, "withdrawn by an operator");
  EXPECT_EQ(registry->routes("95", "housing"), std::vector<std::shared_ptr<Instance>>{registry->find("echo-a")});
}

TEST(Secrets, MalformedFileIsAConfigErrorWithoutTheValue) {
  TempDir dir;
  write_file(dir / "secrets.json", R"({"caf.client_secret": 12345678})");
  RegistryOptions options;
  options.secrets_file = dir / "secrets.json";
  try {
    Registry registry(options);
    FAIL() << "accepted a number as a secret";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field, "caf.client_secret");
    EXPECT_EQ(std::string(e.what()).find("12345678"), std::string::npos);
  }
}

}  // namespace
}  // namespace guichet::connectors
