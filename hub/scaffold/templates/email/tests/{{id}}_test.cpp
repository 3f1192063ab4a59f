// {{id}}: the golden scenarios (the mail render() writes) and how deliver() reacts to the mail
// server, on the built plugin, through its C entry point, against the SDK's FakeHost.
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

Json example_settings() { return read_json(MANIFEST_PATH)["example_settings"]; }
Json sample_dispatch() { return read_json(std::filesystem::path(GOLDEN_DIR) / "first_request.dispatch.json"); }

// Renders every <scenario>.dispatch.json and compares it with <scenario>.expected.json;
// GUICHET_UPDATE_GOLDEN=1 rewrites the expected files instead.
TEST(Golden, EveryScenarioRendersAsExpected) {
  FakeHost host;
  Plugin plugin(PLUGIN_PATH);
  auto instance = plugin.create(host, example_settings());
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
  EXPECT_GT(scenarios, 0);
  EXPECT_TRUE(host.mails().empty()) << "render must not call the host";
}

TEST(Deliver, SendsOneMailWithTheIdempotencyKey) {
  FakeHost host;
  Plugin plugin(PLUGIN_PATH);
  auto instance = plugin.create(host, example_settings());
  EXPECT_EQ(instance.deliver(sample_dispatch()), Json({{"result", "sent"}}));
  ASSERT_EQ(host.mails().size(), 1u);
  EXPECT_EQ(host.mails()[0]["idempotency_key"], sample_dispatch()["idempotency_key"]);
  EXPECT_EQ(host.mails()[0]["to"], Json::array({example_settings()["to"]}));
}

TEST(Deliver, ABusyMailServerIsARetryAnUnknownMailboxAConfigError) {
  FakeHost busy;
  busy.reject_mail(true);
  Plugin plugin(PLUGIN_PATH);
  EXPECT_EQ(plugin.create(busy, example_settings()).deliver(sample_dispatch())["result"], "retry");
  FakeHost refusing;
  refusing.reject_mail(false);
  EXPECT_EQ(plugin.create(refusing, example_settings()).deliver(sample_dispatch())["result"], "config_error");
}

}  // namespace
