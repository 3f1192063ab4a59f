// Two hubs on one PostgreSQL database: one dies by SIGKILL with deliveries leased, the other takes
// them over once the leases expire, and the agency sees each request exactly once.

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "guichet/test/harness.hpp"

namespace {

using namespace std::chrono_literals;
using guichet::test::ChildProcess;
using guichet::test::HttpClient;
using guichet::test::Paths;
using guichet::test::TempDir;
using guichet::test::free_port;
using guichet::test::read_file;
using guichet::test::write_file;
using Json = nlohmann::json;
using namespace Poco::Data::Keywords;

constexpr int kCases = 20;
constexpr const char* kClientSecret = "caf-client-secret-for-tests";

// A database of its own on the test server, dropped at the end.
class Database {
 public:
  explicit Database(const std::string& server) : admin_("PostgreSQL", server) {
    name_ = "scale_out_" + std::to_string(std::random_device{}());
    admin_ << "CREATE DATABASE " + name_ + " TEMPLATE template0", now;
    connection_ = server + " dbname=" + name_;  // the last dbname counts
  }
  ~Database() { admin_ << "DROP DATABASE " + name_ + " WITH (FORCE)", now; }
  const std::string& connection() const { return connection_; }

 private:
  Poco::Data::Session admin_;
  std::string name_, connection_;
};

struct Hub {
  std::uint16_t port;
  std::filesystem::path config;
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

// The hubs share the database and, as on a shared volume, the data directory: the same secrets,
// the same token signing key and the same key store that seals the people's data.
Hub write_hub(const TempDir& dir, const std::string& name, const std::string& connection) {
  std::filesystem::path data = dir / "shared-data";
  std::filesystem::create_directories(data);
  write_file(data / "secrets.json",
             Json{{"caf-95.client_secret", kClientSecret}, {"caf-95.webhook_secret", "caf-webhook-secret"}}.dump());
  Hub hub{free_port(), dir / (name + ".json")};
  const Json config = {
      {"listen", {{"host", "127.0.0.1"}, {"port", hub.port}}},
      {"data_dir", data.string()},
      {"plugin_dir", Paths::plugin_dir().string()},
      {"departments_dir", (dir / "departments").string()},
      {"web_dir", (Paths::source_dir() / "hub" / "web").string()},
      {"store", {{"kind", "postgresql"}, {"connection", connection}}},
      {"mail", {{"smtp_host", "127.0.0.1"}, {"smtp_port", free_port()}}},
      // The test reads every case four times a second until hub B has delivered them all.
      {"http", {{"rate_per_minute", 0}}},
      {"dispatch",
       {{"workers", 2},
        {"lease_s", 5},
        {"retry", {{"initial_ms", 100}, {"multiplier", 2}, {"cap_ms", 1000}, {"max_attempts", 0}}}}}};
  write_file(hub.config, config.dump(2));
  return hub;
}

ChildProcess::Options serve(const TempDir& dir, const std::string& name, const Hub& hub) {
  return {Paths::binary("guichet"), {"serve", "--config", hub.config.string()}, dir / (name + ".log"), {}, {}, name};
}

std::string token(const TempDir& dir, const Hub& hub) {
  ChildProcess minting({Paths::binary("guichet"),
                        {"token", "--config", hub.config.string(), "--referent", "ref-scale", "--department", "95"},
                        dir / "token.txt", {}, {}, "guichet token"});
  if (minting.wait_for_exit() != 0) throw std::runtime_error("guichet token failed: " + minting.log_tail());
  std::string text = read_file(dir / "token.txt");
  return text.substr(0, text.find('\n'));
}

Json intake(int i) {
  return {{"person",
           {{"given_names", {"Camille"}},
            {"birth_name", "Test" + std::to_string(i)},
            {"birth_date", "1990-04-12"},
            {"caf_number", std::to_string(1000000 + i)}}},
          {"situation", {{"department", "95"}, {"proof", {{"kind", "complaint"}, {"date", "2026-11-20"}}}}},
          {"needs", {{{"kind", "allowance"}}}},
          {"consent", {{"allowance", true}}}};
}

TEST(ScaleOut, AHubKilledMidDeliveryIsFinishedByAnotherAndTheAgencySeesEachRequestOnce) {
  const char* server = std::getenv("GUICHET_TEST_PG");
  if (!server || !*server) GTEST_SKIP() << "GUICHET_TEST_PG is not set: no PostgreSQL server to test against";
  Poco::Data::PostgreSQL::Connector::registerConnector();
  Database database(server);
  TempDir dir("guichet-scale-out");

  // Slow answers keep hub A's claimed deliveries in flight when it dies.
  const auto caf_port = free_port();
  ChildProcess caf({Paths::binary("guichet-sim"),
                    {"caf", "--port", std::to_string(caf_port), "--client-id", "guichet-95", "--client-secret",
                     kClientSecret, "--step-ms", "600000", "--latency-ms", "150"},
                    dir / "caf.log", {}, {}, "caf"});
  caf.wait_for_port(caf_port);
  const std::string caf_url = "http://127.0.0.1:" + std::to_string(caf_port);
  const Json department = {
      {"department", "95"},
      {"name", "Val-d'Oise"},
      {"instances",
       {{{"instance", "caf-95"},
         {"plugin", "caf"},
         {"agency", "CAF du Val-d'Oise"},
         {"needs", {"allowance"}},
         {"poll_interval_s", 3600},
         {"settings",
          {{"token_url", caf_url + "/oauth2/token"},
           {"api_url", caf_url},
           {"client_id", "guichet-95"},
           {"client_secret_name", "caf-95.client_secret"},
           {"scope", "auu.demandes"},
           {"webhook_secret_name", "caf-95.webhook_secret"}}}}}}};
  write_file(dir / "departments" / "95.json", department.dump(2));

  Hub a = write_hub(dir, "hub-a", database.connection());
  Hub b = write_hub(dir, "hub-b", database.connection());
  std::optional<ChildProcess> hub_a(std::in_place, serve(dir, "hub-a", a));
  hub_a->wait_for_http(a.url("/healthz"));
  ChildProcess hub_b(serve(dir, "hub-b", b));
  hub_b.wait_for_http(b.url("/healthz"));

  HttpClient http;
  http.set_bearer(token(dir, a));
  std::vector<std::string> case_ids;
  for (int i = 0; i < kCases; ++i) {
    auto created = http.post(a.url("/v1/cases"), intake(i).dump());
    ASSERT_EQ(created.status, 201) << created.body;
    case_ids.push_back(Json::parse(created.body)["case_id"]);
  }
  hub_a->kill9();

  // Hub B finishes everything: its own claims at once, hub A's when their leases expire.
  auto delivered = [&] {
    for (const auto& id : case_ids) {
      auto answer = http.get(b.url("/v1/cases/" + id));
      if (answer.status != 200) return false;
      if (Json::parse(answer.body)["requests"][0]["state"] == "queued") return false;
    }
    return true;
  };
  auto deadline = std::chrono::steady_clock::now() + 40s;
  while (!delivered() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(250ms);
  ASSERT_TRUE(delivered()) << hub_b.log_tail();

  // Exactly one effect per idempotency key, and one key per case.
  Json received = Json::parse(HttpClient().get(caf_url + "/_received").body);
  std::set<std::string> keys;
  for (const auto& entry : received["received"]) keys.insert(entry["idempotency_key"].get<std::string>());
  EXPECT_EQ(received["effects"], kCases);
  EXPECT_EQ(keys.size(), static_cast<size_t>(kCases));
  EXPECT_EQ(received["received"].size(), static_cast<size_t>(kCases));
}

}  // namespace
