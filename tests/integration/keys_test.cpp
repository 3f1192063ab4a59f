// `guichet keys rotate` on a real data directory: refused while a hub runs on it; with the hub
// stopped, every case key is re-wrapped under a new master key and the hub, started again, still
// opens every case (adding a need and delivering it needs the sealed person).
#include "guichet/test/harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

Json allowance_case() {
  Json body = Json::parse(R"({
    "person": {"given_names": ["Amina"], "birth_name": "Benali", "sex": "F", "birth_date": "1990-04-12",
               "nir": "290049501812345", "phone": "+33612345678", "caf_number": "1234567",
               "address": {"line": "12 rue des Lilas", "postcode": "95000", "city": "Cergy"}},
    "situation": {"department": "95", "proof": {"kind": "complaint"}, "safe_channel": "phone"},
    "needs": [{"kind": "allowance"}],
    "consent": {"allowance": true}
  })");
  body["situation"]["proof"]["date"] = days_ago(3);
  return body;
}

std::string state_of(const HttpClient& http, const HubStack& stack, const std::string& case_id,
                     const std::string& need) {
  HttpResponse answer = http.get(stack.url("/v1/cases/" + case_id));
  if (answer.status != 200) return "";
  Json view = Json::parse(answer.body);
  for (const auto& r : view["requests"]) {
    if (r["need"] == need) return r["state"];
  }
  return "";
}

bool reaches(const HttpClient& http, const HubStack& stack, const std::string& case_id, const std::string& need,
             const std::string& state) {
  for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
    if (state_of(http, stack, case_id, need) == state) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(Keys, RotationWaitsForTheHubToStopAndKeepsEveryCaseReadable) {
  HubStack stack;
  HttpClient http = stack.client("referent-a");
  HttpResponse created = http.post(stack.url("/v1/cases"), allowance_case().dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string case_id = Json::parse(created.body)["case_id"];
  ASSERT_TRUE(reaches(http, stack, case_id, "allowance", "acknowledged")) << stack.hub_log();

  auto rotate = [&](const std::string& name) {
    ChildProcess run({Paths::binary("guichet"),
                      {"keys", "rotate", "--config", stack.config_file().string()},
                      stack.data_dir() / (name + ".log"), {}, {}, name});
    int status = run.wait_for_exit(30s);
    return std::pair<int, std::string>(status, read_file(stack.data_dir() / (name + ".log")));
  };
  auto [refused, refusal] = rotate("rotate-running");
  EXPECT_EQ(refused, 75);
  EXPECT_NE(refusal.find("stop it before rotating keys"), std::string::npos) << refusal;

  std::string master = read_file(stack.data_dir() / "master.key");
  stack.stop_hub();
  auto [status, said] = rotate("rotate-stopped");
  ASSERT_EQ(status, 0) << said;
  EXPECT_NE(said.find("re-wrapped 1 case key(s)"), std::string::npos) << said;
  EXPECT_NE(read_file(stack.data_dir() / "master.key"), master);
  EXPECT_FALSE(std::filesystem::exists(stack.data_dir() / "master.key.next"));

  stack.start_hub();
  HttpResponse added = http.post(stack.url("/v1/cases/" + case_id + "/needs"),
                                 R"({"needs":[{"kind":"employment"}],"consent":{"employment":true}})");
  ASSERT_EQ(added.status, 201) << added.body << stack.hub_log();
  EXPECT_TRUE(reaches(http, stack, case_id, "employment", "acknowledged")) << stack.hub_log();
}

}  // namespace
}  // namespace guichet::test
