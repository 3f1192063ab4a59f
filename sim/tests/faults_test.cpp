#include "caf/caf_simulator.hpp"
#include "tests/test_client.hpp"

#include <Poco/Exception.h>
#include <gtest/gtest.h>

#include <thread>

namespace guichet::sim::caf {
namespace {

using namespace std::chrono_literals;
using testing::Headers;
using testing::TestClient;

const std::string token_form =
    "grant_type=client_credentials&client_id=hub&client_secret=s3cret&scope=auu.demandes";
const std::string demande =
    R"({"typeDemande":"AUU","referenceExterne":"r_1","demandeur":{"nomNaissance":"Benali",)"
    R"("prenoms":["Amina"],"dateNaissance":"1990-04-12"},"justificatif":{"type":"plainte"}})";

class FaultsTest : public ::testing::Test {
 protected:
  void run(const FaultSettings& faults = {}) {
    CafSettings settings;
    settings.rest.agency = "caf";
    settings.rest.tokens = {"hub", "s3cret", {"auu.demandes"}, 1499s, ""};
    settings.rest.faults = faults;
    simulator_ = std::make_unique<CafSimulator>(settings);
    simulator_->start();
    client_ = std::make_unique<TestClient>(simulator_->port());
  }
  void SetUp() override { run(); }

  Headers auth_with_key(const std::string& key) {
    const std::string token = client_->post_form("/oauth2/token", token_form).json()["access_token"];
    return {{"Authorization", "Bearer " + token}, {"Idempotency-Key", key}};
  }
  void set_faults(const std::string& json) { ASSERT_EQ(client_->post("/_faults", json).status, 200); }

  std::unique_ptr<CafSimulator> simulator_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(FaultsTest, ErrorRateOneAnswers503WithRetryAfter) {
  const Headers headers = auth_with_key("k-1");
  set_faults(R"({"error_rate":1})");
  for (int i = 0; i < 3; ++i) {
    const auto reply = client_->post("/api/v1/demandes", demande, headers);
    EXPECT_EQ(reply.status, 503);
    EXPECT_EQ(reply.header("Retry-After"), "1");
  }
  EXPECT_EQ(client_->post_form("/oauth2/token", token_form).status, 503);
  // The test endpoints stay reachable.
  EXPECT_EQ(client_->get("/healthz").status, 200);
  EXPECT_EQ(client_->get("/_received").json()["effects"], 0);

  set_faults(R"({"error_rate":0})");
  EXPECT_EQ(client_->post("/api/v1/demandes", demande, headers).status, 201);
}

TEST_F(FaultsTest, ErrorRateFromStartSettings) {
  FaultSettings faults;
  faults.error_rate = 1;
  run(faults);
  EXPECT_EQ(client_->post_form("/oauth2/token", token_form).status, 503);
}

TEST_F(FaultsTest, Fail5xxForSecondsThenRecovers) {
  const Headers headers = auth_with_key("k-1");
  set_faults(R"({"fail_5xx_for_s":0.3})");
  EXPECT_EQ(client_->post("/api/v1/demandes", demande, headers).status, 503);
  EXPECT_GT(client_->get("/_faults").json()["fail_5xx_for_s"].get<double>(), 0);
  std::this_thread::sleep_for(350ms);
  EXPECT_EQ(client_->post("/api/v1/demandes", demande, headers).status, 201);
}

TEST_F(FaultsTest, RateLimitAnswers429WithRetryAfter) {
  const Headers headers = auth_with_key("k-1");
  set_faults(R"({"rate_limit_rate":1})");
  const auto reply = client_->post("/api/v1/demandes", demande, headers);
  EXPECT_EQ(reply.status, 429);
  EXPECT_EQ(reply.header("Retry-After"), "2");
}

TEST_F(FaultsTest, LatencyDelaysAnswers) {
  set_faults(R"({"latency_ms":150})");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(client_->post_form("/oauth2/token", token_form).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);
}

TEST_F(FaultsTest, HangWithholdsAnswerButTheRequestTookEffect) {
  const Headers headers = auth_with_key("k-1");
  set_faults(R"({"hang_rate":1})");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(client_->call("POST", "/api/v1/demandes", demande, headers, 300ms), Poco::TimeoutException);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);

  set_faults(R"({"hang_rate":0})");
  const auto retry = client_->post("/api/v1/demandes", demande, headers);
  EXPECT_EQ(retry.status, 201);
  const auto ledger = client_->get("/_received").json();
  EXPECT_EQ(ledger["effects"], 1);
  EXPECT_EQ(ledger["received"][0]["count"], 2);
}

TEST_F(FaultsTest, RejectsUnknownOrOutOfRangeSettings) {
  auto unknown = client_->post("/_faults", R"({"eror_rate":1})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json()["champ"], "eror_rate");
  auto out_of_range = client_->post("/_faults", R"({"hang_rate":2,"latency_ms":10})");
  EXPECT_EQ(out_of_range.status, 400);
  EXPECT_EQ(out_of_range.json()["champ"], "hang_rate");
  EXPECT_EQ(client_->get("/_faults").json()["latency_ms"], 0);
}

}  // namespace
}  // namespace guichet::sim::caf
