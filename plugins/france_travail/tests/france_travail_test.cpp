// France Travail connector, loaded from the built plugin and driven against a fake host.
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

const std::string kToken = "http://127.0.0.1:18092/connexion/oauth2/access_token";
const std::string kSearch = "http://127.0.0.1:18092/partenaire/rechercher-usager/v1/usagers/recherche";
const std::string kOrientations = "http://127.0.0.1:18092/partenaire/orientation/v1/orientations";
const HttpResponse kTokenGranted{200, {}, R"({"access_token":"ft-tok","token_type":"Bearer","expires_in":1499})"};
const HttpResponse kFound{200, {}, R"({"identifiant":"usr-8f1e"})"};
const HttpResponse kCreated{201, {}, R"({"idOrientation":"FTO-000042","statut":"TRANSMISE"})"};

class FranceTravailTest : public ::testing::Test {
 protected:
  FranceTravailTest() { host.set_secret("france-travail-95.client_secret", "ft-secret"); }

  std::vector<Json> requests_to(const std::string& url) const {
    std::vector<Json> matching;
    for (const auto& request : host.requests()) {
      std::string sent = request["url"];
      if (sent.substr(0, sent.find('?')) == url) matching.push_back(request);
    }
    return matching;
  }

  static Json sent_body(const Json& request) { return Json::parse(request["body"].get<std::string>()); }

  FakeHost host;
  Plugin plugin{PLUGIN_PATH};
  guichet::sdk::testing::Instance france_travail = plugin.create(host, manifest()["example_settings"]);
  Json dispatch = golden("scenario1_phone.dispatch.json");
};

TEST_F(FranceTravailTest, RendersGoldenScenarios) { check_goldens(france_travail); }

TEST_F(FranceTravailTest, AsksTheTokenInThePartnerRealmWithTheConfiguredScopes) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kSearch, kFound);
  host.on_http("POST", kOrientations, kCreated);
  france_travail.deliver(dispatch);
  Json token = requests_to(kToken).at(0);
  EXPECT_EQ(token["url"], kToken + "?realm=/partenaire");
  EXPECT_EQ(token["body"],
            "client_id=guichet-95&client_secret=ft-secret&grant_type=client_credentials"
            "&scope=api_rechercher-usagerv1%20api_orientationv1");
}

TEST_F(FranceTravailTest, LooksUpThenOrientsWithTheSameKeyOnEveryAttempt) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kSearch, kFound);
  host.on_http("POST", kOrientations, {429, {{"retry-after", "2"}}, R"({"error":"rate_limited"})"});
  host.on_http("POST", kOrientations, kCreated);

  Json first = france_travail.deliver(dispatch);
  EXPECT_EQ(first["result"], "retry");
  EXPECT_EQ(first["retry_after_s"], 2);
  Json second = france_travail.deliver(dispatch);
  EXPECT_EQ(second["result"], "acknowledged");
  EXPECT_EQ(second["agency_reference"], "FTO-000042");

  EXPECT_EQ(sent_body(requests_to(kSearch).at(0)),
            Json({{"nir", "285027511800112"}, {"dateNaissance", "1985-02-28"}}));
  Json expected = france_travail.render(dispatch)["requests"][1]["body"];
  expected["identifiant"] = "usr-8f1e";
  auto orientations = requests_to(kOrientations);
  ASSERT_EQ(orientations.size(), 2u);
  for (const auto& request : orientations) {
    EXPECT_EQ(request["headers"]["Idempotency-Key"], "k_7d21aa90-ft-0011");
    EXPECT_EQ(request["headers"]["Authorization"], "Bearer ft-tok");
    EXPECT_EQ(sent_body(request), expected);
  }
  EXPECT_EQ(requests_to(kToken).size(), 1u);
}

TEST_F(FranceTravailTest, MissingNirIsInfoRequestedWithoutAnyCall) {
  Json outcome = france_travail.deliver(golden("no_nir.dispatch.json"));
  EXPECT_EQ(outcome["result"], "info_requested");
  EXPECT_EQ(outcome["message"].get<std::string>().rfind("NIR manquant", 0), 0u);
  EXPECT_TRUE(host.requests().empty());
}

TEST_F(FranceTravailTest, InvalidScopeIsAConfigErrorNeverRetried) {
  host.on_http("POST", kToken,
               {400, {}, R"j({"error":"invalid_scope","error_description":"Unknown/invalid scope(s)"})j"});
  Json outcome = france_travail.deliver(dispatch);
  EXPECT_EQ(outcome["result"], "config_error");
  EXPECT_NE(outcome["message"].get<std::string>().find("invalid_scope"), std::string::npos);
  EXPECT_TRUE(requests_to(kSearch).empty());
}

TEST_F(FranceTravailTest, Unauthorized401AfterRefreshIsAConfigError) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kSearch, {401, {}, R"({"error":"invalid_token"})"});
  EXPECT_EQ(france_travail.deliver(dispatch)["result"], "config_error");
  EXPECT_EQ(requests_to(kToken).size(), 2u);
  EXPECT_TRUE(requests_to(kOrientations).empty());
}

TEST_F(FranceTravailTest, RefusedOrientationIsADataError) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kSearch, kFound);
  host.on_http("POST", kOrientations, {422, {}, R"({"error":"idempotency_mismatch"})"});
  EXPECT_EQ(france_travail.deliver(dispatch)["result"], "data_error");
}

TEST_F(FranceTravailTest, ContactFollowsTheSafeChannelOnly) {
  Json body = france_travail.render(dispatch)["requests"][1]["body"];
  EXPECT_EQ(body["contact"], Json({{"telephone", "+33698765432"}, {"canalPrefere", "telephone"}}));
}

TEST_F(FranceTravailTest, UndeclaredFieldsNeverLeave) {
  Json rendered = france_travail.render(with_canaries(dispatch));
  ASSERT_EQ(rendered["requests"].size(), 2u);
  EXPECT_FALSE(has_canary(rendered)) << rendered.dump(2);
}

TEST_F(FranceTravailTest, PollMapsStatusesOfOpenRequestsAndAdvancesTheCursor) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("GET", kOrientations, {200, {}, R"({"orientations":[
      {"idOrientation":"FTO-000042","referenceExterne":"r_1","statut":"EN_COURS","dateModification":"2026-11-18T10:00:00Z"},
      {"idOrientation":"FTO-000043","referenceExterne":"r_2","statut":"REFUSEE","motif":"hors périmètre","dateModification":"2026-11-18T10:00:03Z"},
      {"idOrientation":"FTO-000044","referenceExterne":"r_3","statut":"TRANSMISE","dateModification":"2026-11-18T10:00:04Z"},
      {"idOrientation":"FTO-000099","referenceExterne":"r_other","statut":"ACCEPTEE","dateModification":"2026-11-18T10:00:06Z"}]})"});
  Json query{{"cursor", "2026-11-18T09:00:00+01:00"},
             {"open",
              {{{"request_id", "r_1"}, {"agency_reference", "FTO-000042"}, {"state", "acknowledged"}},
               {{"request_id", "r_2"}, {"state", "queued"}},
               {{"request_id", "r_3"}, {"agency_reference", "FTO-000044"}, {"state", "acknowledged"}}}}};

  Json answer = france_travail.poll(query);
  EXPECT_EQ(host.requests().back()["url"], kOrientations + "?modifieDepuis=2026-11-18T09%3A00%3A00%2B01%3A00");
  Json expected = Json::array(
      {{{"request_id", "r_1"}, {"agency_reference", "FTO-000042"}, {"state", "in_review"},
        {"at", "2026-11-18T10:00:00Z"}},
       {{"request_id", "r_2"}, {"agency_reference", "FTO-000043"}, {"state", "refused"},
        {"message", "hors périmètre"}, {"at", "2026-11-18T10:00:03Z"}}});
  EXPECT_EQ(answer["events"], expected);
  EXPECT_EQ(answer["cursor"], "2026-11-18T10:00:06Z");
}

TEST_F(FranceTravailTest, FirstPollStartsFromTheEpochAndAnEmptyAnswerKeepsTheCursor) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("GET", kOrientations, {200, {}, R"({"orientations":[]})"});
  Json answer = france_travail.poll({{"cursor", nullptr}, {"open", Json::array()}});
  EXPECT_EQ(host.requests().back()["url"], kOrientations + "?modifieDepuis=1970-01-01T00%3A00%3A00Z");
  EXPECT_EQ(answer["cursor"], "1970-01-01T00:00:00Z");
  EXPECT_TRUE(answer["events"].empty());
}

// Found by fuzz_france_travail_answers (tests/fuzz/corpus/france_travail_answers/token_lifetime_2e63.json):
// a lifetime of 2^63 s overflowed the clock and the token was fetched again on every call.
TEST_F(FranceTravailTest, ATokenAnnouncedToLiveForEverIsKeptADayAndReused) {
  host.on_http("POST", kToken, {200, {}, R"({"access_token":"ft-tok","expires_in":9223372036854775807})"});
  host.on_http("GET", kOrientations, {200, {}, R"({"orientations":[]})"});
  Json query{{"cursor", nullptr}, {"open", Json::array()}};
  france_travail.poll(query);
  france_travail.poll(query);
  EXPECT_EQ(requests_to(kToken).size(), 1u);
  EXPECT_EQ(requests_to(kOrientations).size(), 2u);
}

TEST_F(FranceTravailTest, WithdrawCancelsTheOrientationUnderItsOwnKey) {
  host.on_http("POST", kToken, kTokenGranted);
  host.on_http("POST", kOrientations + "/FTO-000042/annulation",
               {200, {}, R"({"idOrientation":"FTO-000042","statut":"ANNULEE"})"});
  dispatch["agency_reference"] = "FTO-000042";
  EXPECT_EQ(france_travail.withdraw(dispatch)["result"], "acknowledged");
  Json request = requests_to(kOrientations + "/FTO-000042/annulation").at(0);
  EXPECT_EQ(request["headers"]["Idempotency-Key"], "k_7d21aa90-ft-0011");
}

}  // namespace
