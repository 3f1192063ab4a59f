// What a department may require of a plugin file: a pinned digest, checked before the file is
// loaded, and a version, when two versions of one plugin are installed side by side.
#include "hub/connectors/department.h"
#include "hub/connectors/errors.h"
#include "hub/connectors/registry.h"
#include "hub/connectors/tests/test_support.h"

#include <gtest/gtest.h>

namespace guichet::connectors {
namespace {

using testing::TempDir;
using testing::write_file;

Json echo_instance(const std::string& name, const std::string& need) {
  return {{"instance", name}, {"plugin", "fixture_echo"}, {"agency", "Echo"}, {"needs", {need}},
          {"settings", {{"base_url", "http://127.0.0.1:9"}, {"token_secret", "echo.token"}}}};
}

class Trust : public ::testing::Test {
 protected:
  void write_department(const Json& instances) {
    write_file(departments / "95.json",
               Json({{"department", "95"}, {"name", "Val-d'Oise"}, {"instances", instances}}).dump());
  }

  std::unique_ptr<Registry> load() {
    RegistryOptions options;
    options.plugin_dir = plugins.path();
    options.departments_dir = departments.path();
    return std::make_unique<Registry>(options);
  }

  const PluginReport& report(const Registry& registry, const std::string& file_name) {
    for (const PluginReport& r : registry.plugins()) {
      if (std::filesystem::path(r.file).filename() == file_name) return r;
    }
    throw std::runtime_error("no report for " + file_name);
  }

  TempDir plugins, departments;
};

TEST(DepartmentTrust, ReadsVersionAndDigestInLowerCase) {
  Json instance = echo_instance("echo-95", "allowance");
  instance["version"] = "2.0.0";
  instance["plugin_sha256"] = std::string(64, 'A');
  Department department = parse_department({{"department", "95"}, {"name", "V"}, {"instances", Json::array({instance})}}, "95.json");
  EXPECT_EQ(department.instances[0].version, "2.0.0");
  EXPECT_EQ(department.instances[0].plugin_sha256, std::string(64, 'a'));

  instance["plugin_sha256"] = "abc";
  try {
    parse_department({{"department", "95"}, {"name", "V"}, {"instances", Json::array({instance})}}, "95.json");
    FAIL() << "a short digest was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "95.json: instances[0].plugin_sha256: must be the plugin file's SHA-256, 64 hex digits");
  }
}

TEST_F(Trust, APinnedPluginWithItsDigestLoads) {
  testing::copy_fixture("fixture_echo", plugins.path());
  Json instance = echo_instance("echo-95", "allowance");
  instance["plugin_sha256"] = file_sha256(plugins / "fixture_echo.so");
  write_department(Json::array({instance}));
  auto registry = load();
  EXPECT_EQ(report(*registry, "fixture_echo.so").state, "loaded");
  EXPECT_EQ(registry->state("echo-95"), InstanceState::ready);
}

TEST_F(Trust, ADigestMismatchIsRefusedBeforeTheFileIsLoaded) {
  // A file the loader itself would refuse (it is cut short): the pin must speak first.
  testing::write_truncated_library(plugins / "fixture_echo.so", 2048);
  write_file(plugins / "fixture_echo.json", R"({"id":"fixture_echo"})");
  Json instance = echo_instance("echo-95", "allowance");
  instance["plugin_sha256"] = std::string(64, '0');
  write_department(Json::array({instance}));
  auto registry = load();
  const PluginReport& plugin = report(*registry, "fixture_echo.so");
  EXPECT_EQ(plugin.state, "rejected");
  std::string digest = file_sha256(plugins / "fixture_echo.so");
  EXPECT_EQ(plugin.reason, "sha256 " + digest + " differs from the " + std::string(64, '0') +
                               " instance \"echo-95\" pins; not loaded");
  EXPECT_EQ(registry->state("echo-95"), InstanceState::rejected);
  EXPECT_NE(registry->instances().at(0).last_error.find("instances[0].plugin: plugin \"fixture_echo\" is not loaded: sha256"),
            std::string::npos)
      << registry->instances().at(0).last_error;
}

TEST_F(Trust, EveryPinOfAFileMustMatch) {
  testing::copy_fixture("fixture_echo", plugins.path());
  Json good = echo_instance("echo-a", "allowance");
  good["plugin_sha256"] = file_sha256(plugins / "fixture_echo.so");
  Json stale = echo_instance("echo-b", "housing");
  stale["plugin_sha256"] = std::string(64, 'f');
  write_department(Json::array({good, stale}));
  auto registry = load();
  EXPECT_EQ(report(*registry, "fixture_echo.so").state, "rejected");
  EXPECT_EQ(registry->state("echo-a"), InstanceState::rejected);
}

TEST_F(Trust, TwoVersionsOfAPluginServeSideBySide) {
  testing::copy_fixture("fixture_echo", plugins.path());
  std::filesystem::copy_file(testing::fixture_dir() / "fixture_echo_v2.so", plugins / "fixture_echo@2.0.0.so");
  std::filesystem::copy_file(testing::fixture_dir() / "fixture_echo_v2.json", plugins / "fixture_echo@2.0.0.json");
  Json current = echo_instance("echo-current", "allowance");
  Json next = echo_instance("echo-next", "housing");
  next["version"] = "2.0.0";
  Json explicit_old = echo_instance("echo-explicit", "childcare");
  explicit_old["version"] = "1.0.0";
  write_department(Json::array({current, next, explicit_old}));
  auto registry = load();

  const PluginReport& v2 = report(*registry, "fixture_echo@2.0.0.so");
  EXPECT_EQ(v2.state, "loaded") << v2.reason;
  EXPECT_EQ(v2.id, "fixture_echo");
  EXPECT_EQ(v2.version, "2.0.0");
  ASSERT_NE(registry->find("echo-current"), nullptr);
  ASSERT_NE(registry->find("echo-next"), nullptr);
  ASSERT_NE(registry->find("echo-explicit"), nullptr);
  EXPECT_EQ(registry->find("echo-current")->manifest().version, "1.0.0");
  EXPECT_EQ(registry->find("echo-next")->manifest().version, "2.0.0");
  EXPECT_EQ(registry->find("echo-explicit")->manifest().version, "1.0.0");
  auto reports = registry->instances();
  auto next_report = std::find_if(reports.begin(), reports.end(), [](const auto& r) { return r.instance == "echo-next"; });
  EXPECT_EQ(next_report->version, "2.0.0");
}

TEST_F(Trust, AVersionNotInstalledRejectsTheInstance) {
  testing::copy_fixture("fixture_echo", plugins.path());
  Json instance = echo_instance("echo-95", "allowance");
  instance["version"] = "3.1.0";
  write_department(Json::array({instance}));
  auto registry = load();
  EXPECT_EQ(registry->state("echo-95"), InstanceState::rejected);
  EXPECT_NE(registry->instances().at(0).last_error.find(
                "instances[0].version: plugin \"fixture_echo\" is version 1.0.0, not 3.1.0 (install it as "
                "fixture_echo@3.1.0.so)"),
            std::string::npos)
      << registry->instances().at(0).last_error;
}

TEST(PluginFile, AVersionedFileNeedsTheManifestsIdAndVersion) {
  TempDir plugins;
  std::filesystem::copy_file(testing::fixture_dir() / "fixture_echo.so", plugins / "fixture_echo@9.9.9.so");
  std::filesystem::copy_file(testing::fixture_dir() / "fixture_echo.json", plugins / "fixture_echo@9.9.9.json");
  try {
    Plugin::load(plugins / "fixture_echo@9.9.9.so");
    FAIL() << "a file named for another version was loaded";
  } catch (const PluginRejected& e) {
    EXPECT_EQ(std::string(e.what()), "manifest id \"fixture_echo\" differs from the file name");
  }
  std::filesystem::copy_file(testing::fixture_dir() / "fixture_echo.so", plugins / "fixture_echo@1.0.0.so");
  std::filesystem::copy_file(testing::fixture_dir() / "fixture_echo.json", plugins / "fixture_echo@1.0.0.json");
  EXPECT_EQ(Plugin::load(plugins / "fixture_echo@1.0.0.so")->file(), plugins / "fixture_echo@1.0.0.so");
}

TEST(PluginFile, Sha256IsTheDigestOfTheBytes) {
  TempDir dir;
  write_file(dir / "abc", "abc");
  EXPECT_EQ(file_sha256(dir / "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace guichet::connectors
