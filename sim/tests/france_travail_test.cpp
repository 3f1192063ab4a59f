#include "common/time_format.hpp"
#include "france_travail/france_travail_simulator.hpp"
#include "tests/test_client.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace guichet::sim::france_travail {
namespace {

using namespace std::chrono_literals;
using testing::Headers;
using testing::TestClient;

const std::string token_path = "/connexion/oauth2/access_token?realm=%2Fpartenaire";
const std::string token_form =
    "grant_type=client_credentials&client_id=hub&client_secret=s3cret"
    "&scope=api_rechercher-usagerv1+api_orientationv1";
const std::string orientations_path = "/partenaire/orientation/v1/orientations";

nlohmann::json orientation(const std::string& reference_externe) {
  return {{"identifiant", "U123"},
          {"motif", "PACK_NOUVEAU_DEPART"},
          {"referenceExterne", reference_externe},
          {"prescripteur", {{"identifiant", "guichet"}, {"departement", "95"}}},
          {"contact", {{"telephone", "+33612345678"}, {"courriel", nullptr}, {"canalPrefere", "telephone"}}}};
}

class FranceTravailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FranceTravailSettings settings;
    settings.rest.agency = "france_travail";
    settings.rest.tokens = {"hub", "s3cret", {"api_rechercher-usagerv1", "api_orientationv1"}, 1499s, ""};
    settings.step = 150ms;
    simulator_ = std::make_unique<FranceTravailSimulator>(settings);
    simulator_->start();
    client_ = std::make_unique<TestClient>(simulator_->port());
  }

  Headers auth() {
    if (token_.empty()) token_ = client_->post_form(token_path, token_form).json()["access_token"];
    return {{"Authorization", "Bearer " + token_}};
  }
  testing::Reply create(const std::string& key, const nlohmann::json& body) {
    Headers headers = auth();
    headers["Idempotency-Key"] = key;
    return client_->post(orientations_path, body.dump(), headers);
  }
  nlohmann::json changes_since(const std::string& cursor) {
    return client_->get(orientations_path + "?modifieDepuis=" + cursor, auth()).json()["orientations"];
  }

  std::unique_ptr<FranceTravailSimulator> simulator_;
  std::unique_ptr<TestClient> client_;
  std::string token_;
};

TEST_F(FranceTravailTest, IssuesTokenInPartnerRealm) {
  const auto reply = client_->post_form(token_path, token_form);
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json()["token_type"], "Bearer");
  EXPECT_EQ(reply.json()["expires_in"], 1499);
  EXPECT_EQ(reply.json()["scope"], "api_orientationv1 api_rechercher-usagerv1");
}

TEST_F(FranceTravailTest, RejectsBadTokenRequests) {
  for (const std::string path : {"/connexion/oauth2/access_token",
                                 "/connexion/oauth2/access_token?realm=/individu"}) {
    const auto reply = client_->post_form(path, token_form);
    EXPECT_EQ(reply.status, 400) << path;
    EXPECT_EQ(reply.json(), (nlohmann::json{{"error", "invalid_request"}})) << path;
  }
  const auto scope = client_->post_form(
      token_path, "grant_type=client_credentials&client_id=hub&client_secret=s3cret&scope=api_inconnue");
  EXPECT_EQ(scope.status, 400);
  EXPECT_EQ(scope.json(), (nlohmann::json{{"error", "invalid_scope"},
                                          {"error_description", "Unknown/invalid scope(s)"}}));
  const auto client = client_->post_form(
      token_path, "grant_type=client_credentials&client_id=other&client_secret=s3cret");
  EXPECT_EQ(client.status, 401);
  EXPECT_EQ(client.json(), (nlohmann::json{{"error", "invalid_client"}}));
}

TEST_F(FranceTravailTest, FindsUserDeterministicallyByNir) {
  const std::string path = "/partenaire/rechercher-usager/v1/usagers/recherche";
  const std::string query = R"({"nir":"290049501812345","dateNaissance":"1990-04-12"})";
  const auto first = client_->post(path, query, auth());
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(client_->post(path, query, auth()).json()["identifiant"], first.json()["identifiant"]);
  const auto other = client_->post(path, R"({"nir":"190049501812345","dateNaissance":"1990-04-12"})", auth());
  EXPECT_NE(other.json()["identifiant"], first.json()["identifiant"]);

  EXPECT_EQ(client_->post(path, R"({"nir":"290049501812345"})", auth()).status, 400);
  EXPECT_EQ(client_->post(path, R"({"dateNaissance":"1990-04-12"})", auth()).status, 400);
  EXPECT_EQ(client_->post(path, query).status, 401);
}

TEST_F(FranceTravailTest, CreatesOrientationIdempotently) {
  const auto first = create("k-1", orientation("r_1"));
  EXPECT_EQ(first.status, 201);
  EXPECT_EQ(first.json(), (nlohmann::json{{"idOrientation", "FTO-000001"}, {"statut", "TRANSMISE"}}));
  const auto again = create("k-1", orientation("r_1"));
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(create("k-1", orientation("r_2")).status, 422);

  Headers without_key = auth();
  EXPECT_EQ(client_->post(orientations_path, orientation("r_3").dump(), without_key).status, 400);

  const auto ledger = client_->get("/_received").json();
  EXPECT_EQ(ledger["agency"], "france_travail");
  EXPECT_EQ(ledger["effects"], 1);
  EXPECT_EQ(ledger["received"][0]["count"], 2);
}

TEST_F(FranceTravailTest, PollingReturnsOnlyNewerChanges) {
  create("k-1", orientation("r_1"));
  create("k-2", orientation("r_2"));

  const auto created = changes_since("1970-01-01T00:00:00Z");
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0]["idOrientation"], "FTO-000001");
  EXPECT_EQ(created[0]["referenceExterne"], "r_1");
  EXPECT_EQ(created[0]["statut"], "TRANSMISE");
  EXPECT_TRUE(created[0]["motif"].is_null());
  const std::string cursor = created[1]["dateModification"];
  EXPECT_TRUE(changes_since(cursor).empty());

  std::this_thread::sleep_for(200ms);
  const auto advanced = changes_since(cursor);
  ASSERT_EQ(advanced.size(), 2u);
  EXPECT_EQ(advanced[0]["statut"], "EN_COURS");
  EXPECT_LE(parse_rfc3339(advanced[0]["dateModification"]), parse_rfc3339(advanced[1]["dateModification"]));
  EXPECT_GT(parse_rfc3339(advanced[0]["dateModification"]), parse_rfc3339(cursor));
  EXPECT_TRUE(changes_since(advanced[1]["dateModification"]).empty());
}

TEST_F(FranceTravailTest, PollingAcceptsOffsetsAndRejectsGarbage) {
  create("k-1", orientation("r_1"));
  // One hour ahead of UTC, written with an encoded '+'.
  const auto at = parse_rfc3339(changes_since("1970-01-01T00:00:00Z")[0]["dateModification"]);
  const std::string before = format_rfc3339(*at - std::chrono::milliseconds(1) + 1h);
  const std::string with_offset = before.substr(0, before.size() - 1) + "%2B01:00";
  EXPECT_EQ(changes_since(with_offset).size(), 1u);

  const auto reply = client_->get(orientations_path + "?modifieDepuis=hier", auth());
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json()["champ"], "modifieDepuis");
}

TEST_F(FranceTravailTest, CancelsOrientation) {
  create("k-1", orientation("r_1"));
  Headers headers = auth();
  headers["Idempotency-Key"] = "c-1";
  const auto reply = client_->post(orientations_path + "/FTO-000001/annulation", "{}", headers);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json(), (nlohmann::json{{"idOrientation", "FTO-000001"}, {"statut", "ANNULEE"}}));

  std::this_thread::sleep_for(400ms);
  const auto listed = changes_since("1970-01-01T00:00:00Z");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["statut"], "ANNULEE");
}

TEST_F(FranceTravailTest, EveryFifthOrientationIsRefused) {
  for (int i = 1; i <= 5; ++i) create("k-" + std::to_string(i), orientation("r_" + std::to_string(i)));
  std::this_thread::sleep_for(350ms);
  const auto listed = changes_since("1970-01-01T00:00:00Z");
  ASSERT_EQ(listed.size(), 5u);
  for (const auto& entry : listed) {
    const bool fifth = entry["idOrientation"] == "FTO-000005";
    EXPECT_EQ(entry["statut"], fifth ? "REFUSEE" : "ACCEPTEE");
    EXPECT_EQ(entry["motif"].is_null(), !fifth);
  }
}

}  // namespace
}  // namespace guichet::sim::france_travail
