#include "association/association_simulator.hpp"
#include "tests/test_client.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace guichet::sim::association {
namespace {

using namespace std::chrono_literals;
using testing::Headers;
using testing::TestClient;

const nlohmann::json kOrientation = {{"source", "guichet-pnd"},
                                     {"reference_externe", "r_1"},
                                     {"beneficiaire", {{"nom", "Benali"}, {"prenoms", {"Amina"}}}}};

class AssociationTest : public ::testing::Test {
 protected:
  void run(std::chrono::milliseconds step) {
    AssociationSettings settings;
    settings.rest.agency = "association";
    settings.api_key = "k3y";
    settings.step = step;
    simulator_ = std::make_unique<AssociationSimulator>(settings);
    simulator_->start();
    client_ = std::make_unique<TestClient>(simulator_->port());
  }
  void SetUp() override { run(10s); }

  testing::Reply submit(const std::string& key, const nlohmann::json& body, const std::string& api_key = "k3y") {
    return client_->post("/api/orientations", body.dump(), {{"X-Api-Key", api_key}, {"Idempotency-Key", key}});
  }

  std::unique_ptr<AssociationSimulator> simulator_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(AssociationTest, CreatesOrientationsWithTheApiKey) {
  const auto reply = submit("k-1", kOrientation);
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.json(), nlohmann::json({{"id", "DCDF-0001"}, {"statut", "recue"}}));
  const auto status = client_->get("/api/orientations/DCDF-0001", {{"X-Api-Key", "k3y"}}).json();
  EXPECT_EQ(status["statut"], "recue");
  EXPECT_EQ(status["motif"], nullptr);
}

TEST_F(AssociationTest, RefusesAWrongOrMissingKey) {
  EXPECT_EQ(submit("k-1", kOrientation, "wrong").status, 401);
  EXPECT_EQ(client_->get("/api/orientations/DCDF-0001").status, 401);
  EXPECT_EQ(client_->get("/api/orientations/DCDF-0001", {{"Authorization", "Bearer k3y"}}).status, 401);
}

TEST_F(AssociationTest, DeduplicatesByIdempotencyKeyAndShowsTheLedger) {
  EXPECT_EQ(submit("k-1", kOrientation).json()["id"], "DCDF-0001");
  EXPECT_EQ(submit("k-1", kOrientation).json()["id"], "DCDF-0001");
  EXPECT_EQ(submit("k-2", kOrientation).json()["id"], "DCDF-0002");
  nlohmann::json changed = kOrientation;
  changed["beneficiaire"]["nom"] = "Other";
  EXPECT_EQ(submit("k-1", changed).status, 422);
  const auto ledger = client_->get("/_received").json();
  EXPECT_EQ(ledger["agency"], "association");
  EXPECT_EQ(ledger["effects"], 2);
  EXPECT_EQ(ledger["received"][0]["count"], 2);
  EXPECT_EQ(ledger["received"][0]["body"], kOrientation);
}

TEST_F(AssociationTest, RequiresTheBeneficiarysName) {
  nlohmann::json anonymous = kOrientation;
  anonymous["beneficiaire"].erase("nom");
  const auto reply = submit("k-1", anonymous);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json()["champ"], "beneficiaire.nom");
  EXPECT_EQ(submit("k-1", kOrientation).status, 201);  // a rejected key may be used again
}

TEST_F(AssociationTest, StatusesMoveAlongAndEveryFifthIsRefused) {
  simulator_.reset();
  run(40ms);
  for (int i = 1; i <= 5; ++i) ASSERT_EQ(submit("k-" + std::to_string(i), kOrientation).status, 201);
  std::this_thread::sleep_for(150ms);
  const auto first = client_->get("/api/orientations/DCDF-0001", {{"X-Api-Key", "k3y"}}).json();
  EXPECT_EQ(first["statut"], "acceptee");
  const auto fifth = client_->get("/api/orientations/DCDF-0005", {{"X-Api-Key", "k3y"}}).json();
  EXPECT_EQ(fifth["statut"], "refusee");
  EXPECT_FALSE(fifth["motif"].get<std::string>().empty());
  EXPECT_EQ(client_->get("/api/orientations/DCDF-0099", {{"X-Api-Key", "k3y"}}).status, 404);
}

}  // namespace
}  // namespace guichet::sim::association
