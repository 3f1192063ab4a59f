// Generic REST connector, loaded from the built plugin and driven against a fake host, configured
// as department 95's local association would configure it.
#include <guichet/connectors/connector_test.hpp>

namespace {

// The connector's message in the testing kit's "create failed: {"message": ...}".
std::string message_of(const std::exception& e) {
  std::string what = e.what();
  auto answer = nlohmann::json::parse(what.substr(what.find('{')), nullptr, false);
  return answer.is_object() ? answer.value("message", what) : what;
}

using guichet::connectors::testing::check_goldens;
using guichet::connectors::testing::golden;
using guichet::connectors::testing::manifest;
using guichet::sdk::HttpResponse;
using guichet::sdk::Json;
using guichet::sdk::testing::FakeHost;
using guichet::sdk::testing::Plugin;

const std::string kEndpoint = "http://127.0.0.1:18093/api/orientations";

// The instance declares four fields; the hub passes them under "_fields".
Json settings() {
  Json settings = manifest()["example_settings"];
  settings["_fields"] = {{"person", {"given_names", "birth_name", "phone", "children"}}, {"situation", {"safe_channel"}}};
  return settings;
}

std::string create_error(const FakeHost& host, const Json& settings) {
  try {
    Plugin(PLUGIN_PATH).create(host, settings);
  } catch (const std::exception& e) {
    return message_of(e);
  }
  return "(created)";
}

class GenericRestTest : public ::testing::Test {
 protected:
  void SetUp() override { host.set_secret("dcdf-95.api_key", "key-123"); }

  FakeHost host;
  Plugin plugin{PLUGIN_PATH};
  guichet::sdk::testing::Instance rest = plugin.create(host, settings());
  Json dispatch = golden("scenario_housing.dispatch.json");
};

TEST_F(GenericRestTest, RendersGoldenScenarios) { check_goldens(rest); }

TEST_F(GenericRestTest, ManifestTakesItsFieldsFromTheInstance) {
  EXPECT_EQ(manifest()["fields_from_instance"], true);
}

TEST_F(GenericRestTest, DeliversWithTheApiKeyAndIdempotencyKeyAndReadsTheReference) {
  host.on_http("POST", kEndpoint, {201, {}, R"({"id":"DCDF-0001","statut":"recue"})"});
  Json outcome = rest.deliver(dispatch);
  EXPECT_EQ(outcome, Json({{"result", "acknowledged"}, {"agency_reference", "DCDF-0001"}}));
  Json sent = host.requests().at(0);
  EXPECT_EQ(sent["headers"]["X-Api-Key"], "key-123");
  EXPECT_EQ(sent["headers"]["Idempotency-Key"], "k_5f0c2d9e-dcdf-0003");
  EXPECT_EQ(Json::parse(sent["body"].get<std::string>()), rest.render(dispatch)["requests"][0]["body"]);
}

TEST_F(GenericRestTest, UndeclaredFieldsNeverLeaveEvenIfTheHubLetThemThrough) {
  host.on_http("POST", kEndpoint, {201, {}, R"({"id":"DCDF-0002"})"});
  Json leaky = dispatch;
  leaky["person"]["nir"] = "CANARY-nir";
  leaky["person"]["address"] = {{"line", "CANARY-line"}, {"postcode", "95000"}, {"city", "Cergy"}};
  leaky["situation"]["proof"] = {{"kind", "CANARY-proof"}};
  rest.deliver(leaky);
  EXPECT_EQ(host.requests().at(0)["body"].get<std::string>().find("CANARY"), std::string::npos);
}

TEST_F(GenericRestTest, FailuresAreClassifiedWithoutTheBody) {
  host.on_http("POST", kEndpoint, {503, {{"retry-after", "7"}}, R"({"error":"Benali indisponible"})"});
  Json outcome = rest.deliver(dispatch);
  EXPECT_EQ(outcome["result"], "retry");
  EXPECT_EQ(outcome["retry_after_s"], 7);
  EXPECT_EQ(outcome.dump().find("Benali"), std::string::npos);
  FakeHost other;
  other.set_secret("dcdf-95.api_key", "wrong");
  auto instance = plugin.create(other, settings());
  other.on_http("POST", kEndpoint, {401, {}, ""});
  other.on_http("POST", kEndpoint, {422, {}, ""});
  EXPECT_EQ(instance.deliver(dispatch)["result"], "config_error");
  EXPECT_EQ(instance.deliver(dispatch)["result"], "data_error");
}

TEST_F(GenericRestTest, AMissingSecretIsAConfigError) {
  FakeHost bare;
  auto instance = plugin.create(bare, settings());
  EXPECT_EQ(instance.deliver(dispatch)["result"], "config_error");
  EXPECT_TRUE(bare.requests().empty());
}

TEST_F(GenericRestTest, PollsEachOpenReferenceAndMapsItsStatus) {
  host.on_http("GET", kEndpoint + "/DCDF-0001", {200, {}, R"({"id":"DCDF-0001","statut":"refusee","motif":"Plus de place"})"});
  host.on_http("GET", kEndpoint + "/DCDF-0002", {200, {}, R"({"id":"DCDF-0002","statut":"recue"})"});
  host.on_http("GET", kEndpoint + "/DCDF-0003", {200, {}, R"({"id":"DCDF-0003","statut":"inconnu"})"});
  Json answer = rest.poll({{"cursor", nullptr},
                           {"open",
                            {{{"request_id", "r1"}, {"agency_reference", "DCDF-0001"}, {"state", "in_review"}},
                             {{"request_id", "r2"}, {"agency_reference", "DCDF-0002"}, {"state", "acknowledged"}},
                             {{"request_id", "r3"}, {"agency_reference", "DCDF-0003"}, {"state", "acknowledged"}},
                             {{"request_id", "r4"}, {"state", "sent"}}}}});
  ASSERT_EQ(answer["events"].size(), 1u);
  EXPECT_EQ(answer["events"][0]["request_id"], "r1");
  EXPECT_EQ(answer["events"][0]["state"], "refused");
  EXPECT_EQ(answer["events"][0]["message"], "Plus de place");
  EXPECT_EQ(host.requests().at(0)["headers"]["X-Api-Key"], "key-123");
  EXPECT_EQ(host.requests().size(), 3u);  // r4 has no reference yet: nothing to ask
}

TEST_F(GenericRestTest, WithoutAStatusUrlAPollAsksNothingAndSaysItDidNotReadTheOpenRequests) {
  Json quiet = settings();
  quiet.erase("status_url");
  quiet.erase("status_map");
  auto instance = plugin.create(host, quiet);
  Json answer = instance.poll({{"cursor", "c1"},
                               {"open", {{{"request_id", "r1"}, {"agency_reference", "DCDF-0001"}, {"state", "sent"}}}}});
  EXPECT_EQ(answer["events"], Json::array());
  EXPECT_EQ(answer["cursor"], "c1");
  EXPECT_EQ(answer["reads_open"], false);
  EXPECT_TRUE(host.requests().empty());
}

TEST_F(GenericRestTest, OAuth2CredentialsUseTheSharedTokenCache) {
  Json oauth = settings();
  oauth["auth"] = {{"kind", "oauth2_client_credentials"}, {"token_url", "http://127.0.0.1:18093/token"},
                   {"client_id", "guichet-95"}, {"client_secret_name", "dcdf-95.client_secret"}, {"scope", "orientations"}};
  FakeHost oauth_host;
  oauth_host.set_secret("dcdf-95.client_secret", "s3cret");
  oauth_host.on_http("POST", "http://127.0.0.1:18093/token", {200, {}, R"({"access_token":"tok","expires_in":600})"});
  oauth_host.on_http("POST", kEndpoint, {201, {}, R"({"id":"DCDF-0009"})"});
  auto instance = plugin.create(oauth_host, oauth);
  EXPECT_EQ(instance.render(dispatch)["requests"][0]["headers"]["Authorization"], "Bearer <token>");
  instance.deliver(dispatch);
  instance.deliver(dispatch);
  auto requests = oauth_host.requests();
  ASSERT_EQ(requests.size(), 3u);  // one token, two deliveries
  EXPECT_EQ(requests[1]["headers"]["Authorization"], "Bearer tok");
}

TEST_F(GenericRestTest, AMappingNamingAnUndeclaredFieldIsRefusedAtCreation) {
  Json bad = settings();
  bad["body"]["beneficiaire.nir"] = "person.nir";
  EXPECT_NE(create_error(host, bad).find("body mapping \"beneficiaire.nir\": person.nir is not a field declared for this instance"),
            std::string::npos)
      << create_error(host, bad);
}

TEST_F(GenericRestTest, ArrayTargetsNeedArraySources) {
  Json bad = settings();
  bad["body"]["noms[]"] = "person.birth_name";
  EXPECT_NE(create_error(host, bad).find("\"[]\" needs an array source"), std::string::npos) << create_error(host, bad);
  bad = settings();
  bad["body"]["beneficiaire"] = {{"const", 1}};
  EXPECT_NE(create_error(host, bad).find("inside \"beneficiaire\""), std::string::npos);
}

TEST_F(GenericRestTest, WithoutDeclaredFieldsTheConnectorRefusesToStart) {
  Json bare = manifest()["example_settings"];
  EXPECT_NE(create_error(host, bare).find("no declared fields"), std::string::npos);
}

}  // namespace
