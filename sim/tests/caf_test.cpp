#include "caf/caf_simulator.hpp"
#include "common/time_format.hpp"
#include "tests/test_client.hpp"
#include "tests/webhook_receiver.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace guichet::sim::caf {
namespace {

using namespace std::chrono_literals;
using testing::Headers;
using testing::TestClient;

const std::string token_form =
    "grant_type=client_credentials&client_id=hub&client_secret=s3cret&scope=auu.demandes";

nlohmann::json demande(const std::string& reference_externe) {
  return {{"typeDemande", "AUU"},
          {"referenceExterne", reference_externe},
          {"demandeur",
           {{"nomNaissance", "Benali"},
            {"nomUsage", nullptr},
            {"prenoms", {"Amina"}},
            {"sexeEtatCivil", "F"},
            {"dateNaissance", "1990-04-12"},
            {"nir", "290049501812345"},
            {"adresseContact", {{"ligne", "1 rue X"}, {"codePostal", "95300"}, {"commune", "Pontoise"}}}}},
          {"justificatif", {{"type", "plainte"}, {"date", "2026-11-20"}}},
          {"enfants", {{{"prenom", "Lina"}, {"dateNaissance", "2022-05-01"}}}},
          {"securisationDossier", true},
          {"canalContact", "telephone"}};
}

CafSettings settings(std::chrono::milliseconds step = 10s) {
  CafSettings settings;
  settings.rest.agency = "caf";
  settings.rest.tokens = {"hub", "s3cret", {"auu.demandes"}, 1499s, ""};
  settings.step = step;
  return settings;
}

class CafTest : public ::testing::Test {
 protected:
  void run(const CafSettings& settings) {
    simulator_ = std::make_unique<CafSimulator>(settings);
    simulator_->start();
    client_ = std::make_unique<TestClient>(simulator_->port());
  }
  void SetUp() override { run(settings()); }

  Headers auth() {
    if (token_.empty()) token_ = client_->post_form("/oauth2/token", token_form).json()["access_token"];
    return {{"Authorization", "Bearer " + token_}};
  }
  Headers auth_with_key(const std::string& key) {
    Headers headers = auth();
    headers["Idempotency-Key"] = key;
    return headers;
  }
  testing::Reply submit(const std::string& key, const nlohmann::json& body) {
    return client_->post("/api/v1/demandes", body.dump(), auth_with_key(key));
  }
  nlohmann::json status_of(const std::string& reference) {
    return client_->get("/api/v1/demandes/" + reference, auth()).json();
  }

  std::unique_ptr<CafSimulator> simulator_;
  std::unique_ptr<TestClient> client_;
  std::string token_;
};

TEST_F(CafTest, IssuesBearerTokens) {
  const auto reply = client_->post_form("/oauth2/token", token_form);
  ASSERT_EQ(reply.status, 200);
  const auto body = reply.json();
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 1499);
  EXPECT_EQ(body["scope"], "auu.demandes");
  EXPECT_FALSE(body["access_token"].get<std::string>().empty());
}

TEST_F(CafTest, RejectsBadTokenRequests) {
  auto wrong_secret = client_->post_form(
      "/oauth2/token", "grant_type=client_credentials&client_id=hub&client_secret=nope&scope=auu.demandes");
  EXPECT_EQ(wrong_secret.status, 401);
  EXPECT_EQ(wrong_secret.json(), (nlohmann::json{{"error", "invalid_client"}}));

  auto wrong_scope = client_->post_form(
      "/oauth2/token", "grant_type=client_credentials&client_id=hub&client_secret=s3cret&scope=autre");
  EXPECT_EQ(wrong_scope.status, 400);
  EXPECT_EQ(wrong_scope.json(), (nlohmann::json{{"error", "invalid_scope"}}));

  auto wrong_grant = client_->post_form(
      "/oauth2/token", "grant_type=password&client_id=hub&client_secret=s3cret&scope=auu.demandes");
  EXPECT_EQ(wrong_grant.status, 400);
  EXPECT_EQ(wrong_grant.json(), (nlohmann::json{{"error", "unsupported_grant_type"}}));
}

TEST_F(CafTest, RequiresBearerToken) {
  auto missing = client_->post("/api/v1/demandes", demande("r_1").dump(), {{"Idempotency-Key", "k"}});
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.json(), (nlohmann::json{{"error", "invalid_token"}}));

  auto unknown = client_->get("/api/v1/demandes/AUU-95-000001", {{"Authorization", "Bearer forged"}});
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(client_->get("/_received").json()["effects"], 0);
}

TEST_F(CafTest, TokensExpire) {
  CafSettings short_lived = settings();
  short_lived.rest.tokens.lifetime = 1s;
  run(short_lived);
  const Headers headers = auth();
  EXPECT_EQ(client_->get("/api/v1/demandes/AUU-95-000001", headers).status, 404);
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(client_->get("/api/v1/demandes/AUU-95-000001", headers).status, 401);
}

TEST_F(CafTest, CreatesDemande) {
  const auto reply = submit("k-1", demande("r_1"));
  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(reply.json(), (nlohmann::json{{"reference", "AUU-95-000001"}, {"statut", "recue"}}));
  const auto status = status_of("AUU-95-000001");
  EXPECT_EQ(status["statut"], "recue");
  EXPECT_TRUE(status["motif"].is_null());
  EXPECT_TRUE(parse_rfc3339(status["dateMaj"]));
}

TEST_F(CafTest, RequiresIdempotencyKey) {
  const auto reply = client_->post("/api/v1/demandes", demande("r_1").dump(), auth());
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json(), (nlohmann::json{{"error", "missing_idempotency_key"}}));
  EXPECT_EQ(client_->get("/_received").json()["effects"], 0);
}

TEST_F(CafTest, ReplaysSameKeyWithoutNewEffect) {
  const auto first = submit("k-1", demande("r_1"));
  const auto second = submit("k-1", demande("r_1"));
  EXPECT_EQ(second.status, first.status);
  EXPECT_EQ(second.body, first.body);

  const auto ledger = client_->get("/_received").json();
  EXPECT_EQ(ledger["agency"], "caf");
  EXPECT_EQ(ledger["effects"], 1);
  ASSERT_EQ(ledger["received"].size(), 1u);
  EXPECT_EQ(ledger["received"][0]["idempotency_key"], "k-1");
  EXPECT_EQ(ledger["received"][0]["path"], "/api/v1/demandes");
  EXPECT_EQ(ledger["received"][0]["count"], 2);
  EXPECT_EQ(ledger["received"][0]["body"], demande("r_1"));
  EXPECT_TRUE(parse_rfc3339(ledger["received"][0]["first_at"]));

  submit("k-2", demande("r_2"));
  EXPECT_EQ(client_->get("/_received").json()["effects"], 2);
}

TEST_F(CafTest, ConcurrentSubmissionsCreateOncePerKey) {
  const Headers headers = auth();
  std::vector<std::thread> senders;
  std::vector<int> statuses(16);
  for (int i = 0; i < 16; ++i) {
    senders.emplace_back([&, i] {
      Headers keyed = headers;
      keyed["Idempotency-Key"] = "k-" + std::to_string(i % 4);
      const auto body = demande("r_" + std::to_string(i % 4)).dump();
      statuses[i] = client_->post("/api/v1/demandes", body, keyed).status;
    });
  }
  for (auto& sender : senders) sender.join();
  for (int status : statuses) EXPECT_EQ(status, 201);
  const auto ledger = client_->get("/_received").json();
  EXPECT_EQ(ledger["effects"], 4);
  for (const auto& entry : ledger["received"]) EXPECT_EQ(entry["count"], 4);
  EXPECT_EQ(status_of("AUU-95-000004")["reference"], "AUU-95-000004");
  EXPECT_EQ(client_->get("/api/v1/demandes/AUU-95-000005", headers).status, 404);
}

TEST_F(CafTest, RejectsKeyReusedWithAnotherBody) {
  submit("k-1", demande("r_1"));
  const auto reply = submit("k-1", demande("r_other"));
  EXPECT_EQ(reply.status, 422);
  EXPECT_EQ(reply.json(), (nlohmann::json{{"error", "idempotency_mismatch"}}));
  EXPECT_EQ(client_->get("/_received").json()["received"][0]["count"], 1);
}

TEST_F(CafTest, NamesMissingField) {
  for (const std::string field : {"typeDemande", "justificatif"}) {
    auto body = demande("r_1");
    body.erase(field);
    const auto reply = submit("k-" + field, body);
    EXPECT_EQ(reply.status, 400);
    EXPECT_EQ(reply.json(), (nlohmann::json{{"error", "invalid_request"}, {"champ", field}}));
  }
  auto body = demande("r_1");
  body["demandeur"].erase("prenoms");
  EXPECT_EQ(submit("k-prenoms", body).json()["champ"], "demandeur.prenoms");

  // Nothing was created, so the corrected request under the same key goes through.
  EXPECT_EQ(client_->get("/_received").json()["effects"], 0);
  EXPECT_EQ(submit("k-prenoms", demande("r_1")).status, 201);
}

TEST_F(CafTest, AcceptsDemandeWithoutContactDetails) {
  auto body = demande("r_1");
  body["demandeur"].erase("adresseContact");
  const auto reply = submit("k-1", body);
  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(reply.json()["reference"], "AUU-00-000001");
}

TEST_F(CafTest, StatusAdvancesEveryStepAndEveryFifthIsRefused) {
  run(settings(150ms));
  for (int i = 1; i <= 5; ++i) {
    ASSERT_EQ(submit("k-" + std::to_string(i), demande("r_" + std::to_string(i))).status, 201);
  }
  EXPECT_EQ(status_of("AUU-95-000001")["statut"], "recue");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(status_of("AUU-95-000001")["statut"], "en_instruction");
  std::this_thread::sleep_for(150ms);
  for (int i = 1; i <= 4; ++i) {
    const auto status = status_of("AUU-95-00000" + std::to_string(i));
    EXPECT_EQ(status["statut"], "accordee");
    EXPECT_TRUE(status["motif"].is_null());
  }
  const auto refused = status_of("AUU-95-000005");
  EXPECT_EQ(refused["statut"], "refusee");
  EXPECT_FALSE(refused["motif"].get<std::string>().empty());
}

TEST_F(CafTest, WithdrawsDemande) {
  submit("k-1", demande("r_1"));
  const auto reply = client_->post("/api/v1/demandes/AUU-95-000001/retrait",
                                   R"({"motif":"demande de l'usagere"})", auth_with_key("w-1"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json(), (nlohmann::json{{"reference", "AUU-95-000001"}, {"statut", "retiree"}}));
  EXPECT_EQ(status_of("AUU-95-000001")["statut"], "retiree");

  const auto unknown =
      client_->post("/api/v1/demandes/AUU-95-999999/retrait", R"({"motif":"x"})", auth_with_key("w-2"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(client_->get("/_received").json()["effects"], 2);
}

// A report to the prosecutor gets a question, which waits for the answer however long; answered,
// the demande goes on from then.
TEST_F(CafTest, AMissingPieceWaitsForTheAnswerThenTheDemandeGoesOn) {
  run(settings(100ms));
  ASSERT_EQ(submit("k-1", demande("r_1")).status, 201);
  nlohmann::json reported = demande("r_2");
  reported["justificatif"]["type"] = "signalement_procureur";
  ASSERT_EQ(submit("k-2", reported).status, 201);
  const auto early = client_->post("/api/v1/demandes/AUU-95-000002/complements", R"({"texte":"x"})", auth_with_key("c-0"));
  EXPECT_EQ(early.status, 409);  // not asked yet
  std::this_thread::sleep_for(450ms);
  EXPECT_EQ(status_of("AUU-95-000001")["statut"], "accordee");
  const auto waiting = status_of("AUU-95-000002");
  EXPECT_EQ(waiting["statut"], "piece_manquante");
  EXPECT_FALSE(waiting["motif"].get<std::string>().empty());

  EXPECT_EQ(client_->post("/api/v1/demandes/AUU-95-000002/complements", R"({})", auth_with_key("c-1")).status, 400);
  EXPECT_EQ(client_->post("/api/v1/demandes/AUU-95-000001/complements", R"({"texte":"x"})", auth_with_key("c-2")).status, 409);
  EXPECT_EQ(client_->post("/api/v1/demandes/AUU-95-999999/complements", R"({"texte":"x"})", auth_with_key("c-3")).status, 404);
  const auto answered = client_->post("/api/v1/demandes/AUU-95-000002/complements",
                                      R"({"texte":"plainte du 3 novembre"})", auth_with_key("c-4"));
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(answered.json()["statut"], "en_instruction");
  // The same answer again (a retry) replays; another is refused: nothing is awaited any more.
  EXPECT_EQ(client_->post("/api/v1/demandes/AUU-95-000002/complements", R"({"texte":"plainte du 3 novembre"})",
                          auth_with_key("c-4")).status, 200);
  EXPECT_EQ(client_->post("/api/v1/demandes/AUU-95-000002/complements", R"({"texte":"autre"})", auth_with_key("c-5")).status,
            409);
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(status_of("AUU-95-000002")["statut"], "accordee");
}

TEST_F(CafTest, SendsSignedWebhookOnEveryStateChange) {
  testing::WebhookReceiver receiver;
  CafSettings with_webhook = settings(100ms);
  with_webhook.webhook_url = receiver.url();
  with_webhook.webhook_secret = "hook-secret";
  run(with_webhook);

  ASSERT_EQ(submit("k-1", demande("r_1")).status, 201);
  const auto deliveries = receiver.wait_for(2, 3s);
  ASSERT_EQ(deliveries.size(), 2u);
  const char* expected_states[] = {"en_instruction", "accordee"};
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    EXPECT_EQ(deliveries[i].signature,
              "sha256=" + testing::openssl_hmac_sha256_hex(deliveries[i].body, "hook-secret"));
    const auto event = nlohmann::json::parse(deliveries[i].body);
    EXPECT_EQ(event["evenement"], "changement_statut");
    EXPECT_EQ(event["reference"], "AUU-95-000001");
    EXPECT_EQ(event["referenceExterne"], "r_1");
    EXPECT_EQ(event["statut"], expected_states[i]);
    EXPECT_TRUE(event.contains("motif"));
    EXPECT_TRUE(parse_rfc3339(event["dateMaj"]));
  }
}

}  // namespace
}  // namespace guichet::sim::caf
