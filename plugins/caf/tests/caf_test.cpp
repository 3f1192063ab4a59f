// CAF connector, loaded from the built plugin and driven against a fake host.
#include <guichet/connectors/connector_test.hpp>

namespace {

using guichet::connectors::testing::check_goldens;
using guichet::connectors::testing::golden;
using guichet::connectors::testing::has_canary;
using guichet::connectors::testing::manifest;
using guichet::connectors::testing::with_canaries;
using guichet::sdk::HttpResponse;
using guichet::sdk::Json;
using guichet::sdk::testing::FakeHost;
using guichet::sdk::testing::Plugin;

const std::string kToken = "http://127.0.0.1:18091/oauth2/token";
const std::string kDemandes = "http://127.0.0.1:18091/api/v1/demandes";
const HttpResponse kTokenGranted{200, {}, R"({"access_token":"tok-1","token_type":"Bearer","expires_in":1499})"};
const HttpResponse kCreated{201, {}, R"({"reference":"AUU-95-000123","statut":"recue"})"};

class CafTest : public ::testing::Test {
 protected:
  CafTest() {
    host.set_secret("caf-95.client_secret", "s3cret");
    host.set_secret("caf-95.webhook_secret", "whsec");
  }

  std::vector<Json> requests_to(const std::string& url) const {
    std::vector<Json> matching;
    for (const auto& request : host.requests()) {
      if (request["url"] == url) matching.push_back(request);
    }
    return matching;
  }

  static Json sent_body(const Json& request) { return Json::parse(request["body"].get<std::string>()); }

  FakeHost host;
  Plugin plugin{PLUGIN_PATH};
  guichet::sdk::testing::Instance caf = plugin.create(host, manifest()["example_settings"]);
  Json dispatch = golden("safe_phone_and_letters.dispatch.json");
};

TEST_F(CafTest, RendersGoldenScenarios) { check_goldens(caf); }

TEST_F(CafTest, SendsTokenThenDemandeWithTheSameKeyOnEveryAttempt) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes, {503, {{"retry-after", "1"}}, R"({"error":"unavailable"})"});
  host.on_http("POST", kDemandes, kCreated);

  Json first = caf.deliver(dispatch);
  EXPECT_EQ(first["result"], "retry");
  EXPECT_EQ(first["retry_after_s"], 1);
  Json second = caf.deliver(dispatch);
  EXPECT_EQ(second["result"], "acknowledged");
  EXPECT_EQ(second["agency_reference"], "AUU-95-000123");

  auto requests = host.requests();
  ASSERT_EQ(requests.size(), 3u);  // the token is cached across attempts
  EXPECT_EQ(requests[0]["url"], kToken);
  EXPECT_EQ(requests[0]["body"],
            "client_id=guichet-95&client_secret=s3cret&grant_type=client_credentials&scope=auu.demandes");
  Json rendered = caf.render(dispatch)["requests"][0];
  for (int i : {1, 2}) {
    EXPECT_EQ(requests[i]["headers"]["Idempotency-Key"], "k_91b7e3aa-caf-0002");
    EXPECT_EQ(requests[i]["headers"]["Authorization"], "Bearer tok-1");
    EXPECT_EQ(sent_body(requests[i]), rendered["body"]);
  }
}

TEST_F(CafTest, TheTokenRequestWaitsNoLongerThanTheInstancesTimeout) {
  Json settings = manifest()["example_settings"];
  settings["timeout_ms"] = 2500;
  auto quick = plugin.create(host, settings);
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes, kCreated);
  quick.deliver(dispatch);
  auto requests = host.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["url"], kToken);
  EXPECT_EQ(requests[0]["timeout_ms"], 2500);
  EXPECT_EQ(requests[1]["timeout_ms"], 2500);
}

TEST_F(CafTest, RefreshesTheTokenShortlyBeforeItExpires) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes, kCreated);
  caf.deliver(dispatch);
  host.set_now_ms(1795000000000 + 1400 * 1000);
  caf.deliver(dispatch);
  EXPECT_EQ(requests_to(kToken).size(), 1u);
  host.set_now_ms(1795000000000 + 1450 * 1000);
  caf.deliver(dispatch);
  EXPECT_EQ(requests_to(kToken).size(), 2u);
}

TEST_F(CafTest, RefreshesOnceOn401ThenReportsAConfigError) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes, {401, {}, R"({"error":"invalid_token"})"});
  EXPECT_EQ(caf.deliver(dispatch)["result"], "config_error");
  EXPECT_EQ(requests_to(kToken).size(), 2u);
  EXPECT_EQ(requests_to(kDemandes).size(), 2u);
}

TEST_F(CafTest, A401FollowedBySuccessAfterRefreshIsDelivered) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes, {401, {}, R"({"error":"invalid_token"})"});
  host.on_http("POST", kDemandes, kCreated);
  EXPECT_EQ(caf.deliver(dispatch)["result"], "acknowledged");
}

TEST_F(CafTest, InvalidScopeOrClientIsAConfigErrorWithoutApiCall) {
  host.on_http("POST", kToken, {400, {}, R"({"error":"invalid_scope"})"});
  Json outcome = caf.deliver(dispatch);
  EXPECT_EQ(outcome["result"], "config_error");
  EXPECT_NE(outcome["message"].get<std::string>().find("invalid_scope"), std::string::npos);
  EXPECT_TRUE(requests_to(kDemandes).empty());

  FakeHost other;
  other.set_secret("caf-95.client_secret", "wrong");
  other.on_http("POST", kToken, {401, {}, R"({"error":"invalid_client"})"});
  auto instance = plugin.create(other, manifest()["example_settings"]);
  EXPECT_EQ(instance.deliver(dispatch)["result"], "config_error");
}

TEST_F(CafTest, MissingSecretIsAConfigError) {
  FakeHost bare;
  auto instance = plugin.create(bare, manifest()["example_settings"]);
  EXPECT_EQ(instance.deliver(dispatch)["result"], "config_error");
  EXPECT_TRUE(bare.requests().empty());
}

TEST_F(CafTest, RefusedDataIsADataErrorNamingTheFieldOnly) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes, {422, {}, R"({"error":"invalid_request","champ":"demandeur.nir"})"});
  Json outcome = caf.deliver(dispatch);
  EXPECT_EQ(outcome["result"], "data_error");
  EXPECT_EQ(outcome["message"], "CAF answered HTTP 422 error=invalid_request champ=demandeur.nir");
}

TEST_F(CafTest, TransportFailureIsRetried) {
  host.on_http("POST", kToken, kTokenGranted);
  host.fail_http("POST", kDemandes, true);
  EXPECT_EQ(caf.deliver(dispatch)["result"], "retry");
}

TEST_F(CafTest, ProofMissingWeakOrOldIsInfoRequestedWithoutAnyCall) {
  struct Case {
    Json proof;
    std::string expected_words;
  };
  std::vector<Case> cases = {
      {Json{{"kind", "none"}}, "main courante ne suffit pas"},
      {Json{{"kind", "main_courante"}, {"date", "2026-11-01"}}, "main courante ne suffit pas"},
      {Json(), "Justificatif manquant"},
      {Json{{"kind", "complaint"}}, "Date du justificatif manquante"},
      {Json{{"kind", "complaint"}, {"date", "2025-11-18"}}, "plus de 12 mois"},
      {Json{{"kind", "complaint"}, {"date", "2026-12-01"}}, "postérieure"},
  };
  for (const auto& c : cases) {
    Json held = dispatch;
    if (c.proof.is_null()) {
      held["situation"].erase("proof");
    } else {
      held["situation"]["proof"] = c.proof;
    }
    Json outcome = caf.deliver(held);
    EXPECT_EQ(outcome["result"], "info_requested") << c.proof;
    EXPECT_NE(outcome["message"].get<std::string>().find(c.expected_words), std::string::npos)
        << outcome["message"];
  }
  EXPECT_TRUE(host.requests().empty());
}

TEST_F(CafTest, ProofOfElevenMonthsAndTwentyNineDaysIsAccepted) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes, kCreated);
  dispatch["situation"]["proof"] = {{"kind", "complaint"}, {"date", "2025-11-19"}};
  EXPECT_EQ(caf.deliver(dispatch)["result"], "acknowledged");
}

TEST_F(CafTest, AbuserInHouseholdKeepsEveryContactOutEvenIfTheHubLetThemThrough) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes, kCreated);
  dispatch["situation"]["abuser_in_caf_household"] = true;
  ASSERT_TRUE(dispatch["person"].contains("phone"));
  caf.deliver(dispatch);

  Json body = sent_body(requests_to(kDemandes).at(0));
  EXPECT_TRUE(body["securisationDossier"].get<bool>());
  EXPECT_EQ(body["canalContact"], "referent");
  for (const char* field : {"telephone", "courriel", "adresseContact"}) {
    EXPECT_FALSE(body["demandeur"].contains(field)) << field;
  }
  std::string sent = requests_to(kDemandes).at(0).dump();
  for (const char* value : {"+33698765432", "sophie.m@example.org", "place du Palais"}) {
    EXPECT_EQ(sent.find(value), std::string::npos) << value;
  }
}

TEST_F(CafTest, UndeclaredFieldsNeverLeave) {
  Json rendered = caf.render(with_canaries(dispatch));
  ASSERT_EQ(rendered["requests"].size(), 1u);
  EXPECT_FALSE(has_canary(rendered)) << rendered.dump(2);
}

TEST_F(CafTest, PollMapsStatusesAndReportsOnlyChanges) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("GET", kDemandes + "/AUU-95-000001",
               {200, {}, R"({"reference":"AUU-95-000001","statut":"en_instruction","dateMaj":"2026-11-18T10:00:00Z"})"});
  host.on_http("GET", kDemandes + "/AUU-95-000002",
               {200, {}, R"({"reference":"AUU-95-000002","statut":"refusee","motif":"ressources","dateMaj":"2026-11-18T10:01:00Z"})"});
  host.on_http("GET", kDemandes + "/AUU-95-000003",
               {200, {}, R"({"reference":"AUU-95-000003","statut":"recue","dateMaj":"2026-11-18T09:00:00Z"})"});
  host.on_http("GET", kDemandes + "/AUU-95-000004", {404, {}, R"({"error":"not_found"})"});
  Json query{{"cursor", nullptr},
             {"open",
              {{{"request_id", "r_1"}, {"agency_reference", "AUU-95-000001"}, {"state", "acknowledged"}},
               {{"request_id", "r_2"}, {"agency_reference", "AUU-95-000002"}, {"state", "in_review"}},
               {{"request_id", "r_3"}, {"agency_reference", "AUU-95-000003"}, {"state", "acknowledged"}},
               {{"request_id", "r_4"}, {"agency_reference", "AUU-95-000004"}, {"state", "acknowledged"}},
               {{"request_id", "r_5"}, {"state", "queued"}}}}};

  Json answer = caf.poll(query);
  Json expected = Json::array(
      {{{"request_id", "r_1"}, {"agency_reference", "AUU-95-000001"}, {"state", "in_review"},
        {"at", "2026-11-18T10:00:00Z"}},
       {{"request_id", "r_2"}, {"agency_reference", "AUU-95-000002"}, {"state", "refused"},
        {"message", "ressources"}, {"at", "2026-11-18T10:01:00Z"}}});
  EXPECT_EQ(answer["events"], expected);
  EXPECT_TRUE(answer["cursor"].is_null());
}

TEST_F(CafTest, WebhookWithAGoodSignatureBecomesAnEvent) {
  std::string body =
      R"({"evenement":"changement_statut","reference":"AUU-95-000123","referenceExterne":"r_1","statut":"accordee","motif":null,"dateMaj":"2026-11-18T12:00:00Z"})";
  // printf '%s' "$body" | openssl dgst -sha256 -hmac whsec
  std::string signature = "sha256=ff697c3328ed3ba6654a668bd3bb2ab40de911b239ff04ee0a17c0fb13a858f9";
  Json answer = caf.on_inbound({{"method", "POST"},
                                {"path", "/v1/inbound/caf-95"},
                                {"headers", {{"x-caf-signature", signature}}},
                                {"body", body}});
  EXPECT_TRUE(answer["authentic"].get<bool>());
  Json expected = Json::array(
      {{{"agency_reference", "AUU-95-000123"}, {"state", "accepted"}, {"at", "2026-11-18T12:00:00Z"}}});
  EXPECT_EQ(answer["events"], expected);
}

TEST_F(CafTest, WebhookWithABadOrMissingSignatureIsRefused) {
  std::string body = R"({"reference":"AUU-95-000123","statut":"accordee"})";
  for (const Json& headers : {Json{{"x-caf-signature", "sha256=00"}},
                              Json{{"x-caf-signature", "sha256=" + std::string(64, 'a')}},
                              Json::object()}) {
    Json answer = caf.on_inbound({{"method", "POST"}, {"path", "/"}, {"headers", headers}, {"body", body}});
    EXPECT_FALSE(answer["authentic"].get<bool>());
    EXPECT_TRUE(answer["events"].empty());
  }
}

TEST_F(CafTest, WithdrawPostsAFixedReasonUnderItsOwnKey) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes + "/AUU-95-000123/retrait",
               {200, {}, R"({"reference":"AUU-95-000123","statut":"retiree"})"});
  dispatch["agency_reference"] = "AUU-95-000123";
  dispatch["reason"] = "elle retourne chez lui";
  EXPECT_EQ(caf.withdraw(dispatch)["result"], "acknowledged");
  Json request = requests_to(kDemandes + "/AUU-95-000123/retrait").at(0);
  EXPECT_EQ(request["headers"]["Idempotency-Key"], "k_91b7e3aa-caf-0002");
  EXPECT_EQ(sent_body(request), Json({{"motif", "Demande retirée par le référent Pack nouveau départ"}}));
}

TEST_F(CafTest, WithdrawBeforeAnyReferenceCallsNobody) {
  EXPECT_EQ(caf.withdraw(dispatch)["result"], "sent");
  EXPECT_TRUE(host.requests().empty());
}

TEST_F(CafTest, AnAnswerGoesOnTheDemandeUnderTheAnswersOwnKey) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes + "/AUU-95-000123/complements",
               {200, {}, R"({"reference":"AUU-95-000123","statut":"en_instruction"})"});
  dispatch["agency_reference"] = "AUU-95-000123";
  dispatch["answer"] = {{"text", "Plainte déposée le 3 novembre"}, {"idempotency_key", "k_91b7e3aa-caf-0002-answer-1"}};
  Json outcome = caf.answer(dispatch);
  EXPECT_EQ(outcome["result"], "acknowledged");
  EXPECT_EQ(outcome["agency_reference"], "AUU-95-000123");
  Json request = requests_to(kDemandes + "/AUU-95-000123/complements").at(0);
  EXPECT_EQ(request["headers"]["Idempotency-Key"], "k_91b7e3aa-caf-0002-answer-1");
  EXPECT_EQ(sent_body(request), Json({{"texte", "Plainte déposée le 3 novembre"}}));
}

TEST_F(CafTest, AnAnswerTheCafDoesNotAwaitIsADataErrorAndOneWithoutReferenceCallsNobody) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kDemandes + "/AUU-95-000123/complements", {409, {}, R"({"error":"aucune_piece_attendue"})"});
  dispatch["answer"] = {{"text", "x"}, {"idempotency_key", "k-answer-1"}};
  EXPECT_EQ(caf.answer(dispatch)["result"], "data_error");
  EXPECT_TRUE(host.requests().empty());
  dispatch["agency_reference"] = "AUU-95-000123";
  Json refused = caf.answer(dispatch);
  EXPECT_EQ(refused["result"], "data_error");
  EXPECT_EQ(refused["message"], "CAF answered HTTP 409 error=aucune_piece_attendue");
}

}  // namespace
