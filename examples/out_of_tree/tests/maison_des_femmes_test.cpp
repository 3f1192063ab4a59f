// The Maison des femmes connector on its built plugin, through its C entry point, against the SDK's
// FakeHost: golden scenarios for what it sends, and how it reads the association's answers.
#include <gtest/gtest.h>
#include <guichet/sdk/testing.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

using guichet::sdk::Json;
using guichet::sdk::testing::FakeHost;
using guichet::sdk::testing::Plugin;

Json read_json(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path.string());
  return Json::parse(file);
}

Json settings() { return read_json(MANIFEST_PATH)["example_settings"]; }
Json dispatch(const std::string& scenario) {
  return read_json(std::filesystem::path(GOLDEN_DIR) / (scenario + ".dispatch.json"));
}
std::string endpoint() { return settings()["api_url"].get<std::string>() + "/v1/rendez-vous"; }

// Every <scenario>.dispatch.json renders as <scenario>.expected.json (GUICHET_UPDATE_GOLDEN=1
// rewrites them, for review).
TEST(Golden, EveryScenarioRendersAsExpected) {
  FakeHost host;
  Plugin plugin(PLUGIN_PATH);
  auto instance = plugin.create(host, settings());
  const std::string suffix = ".dispatch.json";
  int scenarios = 0;
  for (const auto& entry : std::filesystem::directory_iterator(GOLDEN_DIR)) {
    std::string name = entry.path().filename().string();
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    ++scenarios;
    Json rendered = instance.render(read_json(entry.path()));
    auto expected = std::filesystem::path(GOLDEN_DIR) / (name.substr(0, name.size() - suffix.size()) + ".expected.json");
    if (std::getenv("GUICHET_UPDATE_GOLDEN")) {
      std::ofstream(expected) << rendered.dump(2) << "\n";
      continue;
    }
    EXPECT_EQ(rendered, read_json(expected)) << name << " renders as:\n" << rendered.dump(2);
  }
  EXPECT_EQ(scenarios, 2);
  EXPECT_TRUE(host.requests().empty()) << "render must not call the host";
}

TEST(Deliver, SendsTheKeyAndTheSecretAndKeepsTheDossierNumber) {
  FakeHost host;
  host.set_secret("mdf-95.api_key", "k-123");
  host.on_http("POST", endpoint(), {201, {}, R"({"dossier":"MDF-2026-0042"})"});
  Plugin plugin(PLUGIN_PATH);
  auto instance = plugin.create(host, settings());
  Json outcome = instance.deliver(dispatch("phone_is_safe"));
  EXPECT_EQ(outcome, Json({{"result", "acknowledged"}, {"agency_reference", "MDF-2026-0042"}}));
  ASSERT_EQ(host.requests().size(), 1u);
  Json sent = host.requests()[0];
  EXPECT_EQ(sent["headers"]["Idempotency-Key"], "k_5f0c2d9e-mdf-0051");
  EXPECT_EQ(sent["headers"]["X-Api-Key"], "k-123");
  EXPECT_EQ(Json::parse(sent["body"].get<std::string>())["contact"]["telephone"], "+33612345678");
}

TEST(Deliver, AMissingKeyIsAConfigErrorAndAnOverloadARetry) {
  FakeHost host;
  Plugin plugin(PLUGIN_PATH);
  EXPECT_EQ(plugin.create(host, settings()).deliver(dispatch("phone_is_safe"))["result"], "config_error");
  host.set_secret("mdf-95.api_key", "k-123");
  host.on_http("POST", endpoint(), {429, {{"retry-after", "60"}}, ""});
  Json outcome = plugin.create(host, settings()).deliver(dispatch("phone_is_safe"));
  EXPECT_EQ(outcome["result"], "retry");
  EXPECT_EQ(outcome["retry_after_s"], 60);
}

}  // namespace
