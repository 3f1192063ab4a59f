// Démarches Simplifiées connector, loaded from the built plugin and driven against a fake host.
#include <guichet/connectors/connector_test.hpp>

namespace {

using guichet::connectors::testing::check_goldens;
using guichet::connectors::testing::golden;
using guichet::connectors::testing::manifest;
using guichet::sdk::Json;
using guichet::sdk::testing::FakeHost;
using guichet::sdk::testing::Plugin;

const std::string kPrefill = "http://127.0.0.1:18094/api/public/v1/demarches/4242/dossiers";
const std::string kGraphql = "http://127.0.0.1:18094/api/v2/graphql";

Json settings() {
  Json settings = manifest()["example_settings"];
  settings["_fields"] = {{"person", {"given_names", "birth_name", "phone", "children"}}, {"situation", {"safe_channel"}}};
  return settings;
}

Json node(int number, const std::string& state, const std::string& at, const Json& motivation = nullptr) {
  return {{"number", number}, {"state", state}, {"motivation", motivation}, {"dateDerniereModification", at}};
}

std::string page(const Json& nodes, const Json& end_cursor, bool next) {
  return Json({{"data", {{"demarche", {{"dossiers", {{"nodes", nodes}, {"pageInfo", {{"endCursor", end_cursor}, {"hasNextPage", next}}}}}}}}}})
      .dump();
}

Json open_requests() {
  return {{{"request_id", "r1"}, {"agency_reference", "101"}, {"state", "acknowledged"}},
          {{"request_id", "r2"}, {"agency_reference", "102"}, {"state", "in_review"}},
          {{"request_id", "r3"}, {"agency_reference", "103"}, {"state", "acknowledged"}}};
}

class DemarchesSimplifieesTest : public ::testing::Test {
 protected:
  void SetUp() override { host.set_secret("ds-95.token", "ds-token"); }

  FakeHost host;
  Plugin plugin{PLUGIN_PATH};
  guichet::sdk::testing::Instance ds = plugin.create(host, settings());
  Json dispatch = golden("childcare_form.dispatch.json");
};

TEST_F(DemarchesSimplifieesTest, RendersGoldenScenarios) { check_goldens(ds); }

TEST_F(DemarchesSimplifieesTest, DeliveryPrefillsADossierWhoseNumberIsTheReference) {
  host.on_http("POST", kPrefill,
               {201, {}, R"({"dossier_url":"http://127.0.0.1:18094/commencer/pnd?prefill_token=abc","dossier_id":"RG9zc2llci0xMDE=","dossier_number":101})"});
  Json outcome = ds.deliver(dispatch);
  EXPECT_EQ(outcome["result"], "acknowledged");
  EXPECT_EQ(outcome["agency_reference"], "101");
  EXPECT_EQ(outcome["message"], "Dossier prérempli à compléter et déposer : http://127.0.0.1:18094/commencer/pnd?prefill_token=abc");
  Json sent = host.requests().at(0);
  EXPECT_FALSE(sent["headers"].contains("Authorization"));  // the prefill API is public
  Json champs = Json::parse(sent["body"].get<std::string>());
  EXPECT_EQ(champs["champ_Q2hhbXAtMQ=="], "Benali");
  EXPECT_EQ(champs["champ_Q2hhbXAtNA=="][1], Json({{"prenom", "Yanis"}, {"date_naissance", "2019-09-14"}}));
}

TEST_F(DemarchesSimplifieesTest, PrefillFailuresAreClassified) {
  host.on_http("POST", kPrefill, {502, {}, ""});
  host.on_http("POST", kPrefill, {404, {}, ""});
  EXPECT_EQ(ds.deliver(dispatch)["result"], "retry");
  EXPECT_EQ(ds.deliver(dispatch)["result"], "data_error");
  host.fail_http("POST", kPrefill, true);
  EXPECT_EQ(ds.deliver(dispatch)["result"], "retry");
}

TEST_F(DemarchesSimplifieesTest, PollMapsStatesReadsEveryPageAndMovesTheCursor) {
  host.on_http("POST", kGraphql,
               {200, {}, page({node(101, "en_instruction", "2026-11-20T10:00:00.000Z"), node(999, "accepte", "2026-11-20T10:30:00.000Z")},
                              "MQ", true)});
  host.on_http("POST", kGraphql,
               {200, {}, page({node(102, "refuse", "2026-11-20T11:00:00.000Z", "Aucune place avant mars"),
                               node(103, "sans_suite", "2026-11-20T09:00:00.000Z", "Dossier incomplet")},
                              nullptr, false)});
  Json answer = ds.poll({{"cursor", nullptr}, {"open", open_requests()}});
  ASSERT_EQ(answer["events"].size(), 3u) << answer.dump(2);
  EXPECT_EQ(answer["events"][0], Json({{"request_id", "r1"}, {"agency_reference", "101"}, {"state", "in_review"},
                                       {"at", "2026-11-20T10:00:00.000Z"}}));
  EXPECT_EQ(answer["events"][1]["state"], "refused");
  EXPECT_EQ(answer["events"][1]["message"], "Aucune place avant mars");
  EXPECT_EQ(answer["events"][2]["state"], "closed");
  EXPECT_EQ(answer["cursor"], Json({{"since", "2026-11-20T11:00:00.000Z"}}));

  auto requests = host.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["headers"]["Authorization"], "Bearer ds-token");
  Json first = Json::parse(requests[0]["body"].get<std::string>());
  EXPECT_NE(first["query"].get<std::string>().find("dossiers(updatedSince: $since, first: 100, after: $after)"), std::string::npos);
  EXPECT_EQ(first["variables"], Json({{"demarche", 4242}, {"since", nullptr}, {"after", nullptr}}));
  EXPECT_EQ(Json::parse(requests[1]["body"].get<std::string>())["variables"]["after"], "MQ");
}

TEST_F(DemarchesSimplifieesTest, ARootErrorFailsThePollWhateverPartialDataCameWithIt) {
  Json timeout = Json::parse(page({node(101, "accepte", "2026-11-20T12:00:00.000Z")}, nullptr, false));
  timeout["errors"] = {{{"message", "Timeout on Query.demarche"}, {"extensions", {{"code", "timeout"}}}}};
  host.on_http("POST", kGraphql, {200, {}, timeout.dump()});
  try {
    ds.poll({{"cursor", {{"since", "2026-11-20T09:00:00.000Z"}}}, {"open", open_requests()}});
    FAIL() << "a root timeout was taken for an answer";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "Démarches Simplifiées GraphQL error: timeout");
  }
  host.on_http("POST", kGraphql, {401, {}, ""});
  EXPECT_THROW(ds.poll({{"cursor", nullptr}, {"open", open_requests()}}), std::runtime_error);
}

TEST_F(DemarchesSimplifieesTest, TheWebhookIsOnlyAHintToPollNow) {
  Json call{{"method", "POST"},
            {"path", "/v1/inbound/ds-95"},
            {"headers", {{"content-type", "application/x-www-form-urlencoded"}}},
            {"body", "procedure_id=4242&dossier_id=RG9zc2llci0xMDE%3D&state=accepte&updated_at=2026-11-20T12%3A00%3A00Z"}};
  EXPECT_EQ(ds.on_inbound(call), Json({{"authentic", true}, {"events", Json::array()}, {"poll_now", true}}));
  call["body"] = "procedure_id=77&dossier_id=x&state=accepte";
  EXPECT_EQ(ds.on_inbound(call)["authentic"], false);
  EXPECT_TRUE(host.requests().empty());
}

TEST_F(DemarchesSimplifieesTest, AChampNamingAnUndeclaredFieldIsRefusedAtCreation) {
  Json bad = settings();
  bad["champs"]["champ_Q2hhbXAtOQ=="] = "person.nir";
  try {
    plugin.create(host, bad);
    FAIL() << "created with an undeclared field";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(R"(body mapping \"champ_Q2hhbXAtOQ==\": person.nir is not a field declared)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
