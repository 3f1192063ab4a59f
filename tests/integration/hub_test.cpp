// The core promise, with every real part running: one request in, five agencies out, one status
// back; bad input refused without storing anything; a hub killed right after its 201 still
// delivers each request exactly once per agency.
#include "guichet/test/harness.hpp"

#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <set>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// The example of docs/api.md, with a proof dated a few days back so it stays valid whenever the
// test runs.
Json example_case() {
  Json body = Json::parse(R"({
    "person": {
      "given_names": ["Amina"], "birth_name": "Benali", "usage_name": null, "sex": "F",
      "birth_date": "1990-04-12", "nir": "290049501812345",
      "phone": "+33612345678", "email": "amina.b@example.org",
      "address": {"line": "12 rue des Lilas", "postcode": "95000", "city": "Cergy"},
      "contact_address": {"line": "c/o Maître Durand, 3 place du Palais", "postcode": "95300", "city": "Pontoise"},
      "caf_number": "1234567", "france_travail_id": null,
      "children": [{"given_name": "Lina", "birth_date": "2022-05-01"}],
      "languages": ["fr"]
    },
    "situation": {
      "department": "95", "proof": {"kind": "complaint"},
      "abuser_in_caf_household": true, "address_confidential": true, "safe_channel": "phone"
    },
    "needs": [
      {"kind": "allowance"}, {"kind": "employment"}, {"kind": "housing", "urgency": "tonight"},
      {"kind": "childcare", "children": [0]}, {"kind": "psych_support"}
    ],
    "consent": {"allowance": true, "employment": true, "housing": true, "childcare": true, "psych_support": true}
  })");
  body["situation"]["proof"]["date"] = days_ago(3);
  return body;
}

const std::vector<std::string> kEmailAgencies = {"siao95@siao.example.org", "petite-enfance@cergy.example.org",
                                                 "orientation@france-victimes-95.example.org"};

// Polls GET /v1/cases/{id} until `done` holds for the view, or fails with the last view.
Json wait_for_case(const HttpClient& http, const HubStack& stack, const std::string& case_id,
                   const std::function<bool(const Json&)>& done, std::chrono::seconds timeout = 30s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  Json view;
  while (std::chrono::steady_clock::now() < deadline) {
    auto answer = http.get(stack.url("/v1/cases/" + case_id));
    if (answer.status == 200) {
      view = Json::parse(answer.body);
      if (done(view)) return view;
    }
    std::this_thread::sleep_for(100ms);
  }
  ADD_FAILURE() << "case did not reach the expected state: " << view.dump(2) << "\n" << stack.hub_log();
  return view;
}

const Json& request_for(const Json& view, const std::string& need) {
  for (const auto& r : view["requests"]) {
    if (r["need"] == need) return r;
  }
  throw std::runtime_error("no request for " + need);
}

bool all_delivered(const Json& view) {
  for (const auto& r : view["requests"]) {
    if (r["state"] == "queued") return false;
  }
  return true;
}

TEST(Hub, OneRequestReachesFiveAgenciesInTheirOwnFormats) {
  HubStack stack;
  HttpClient http = stack.client("referent-a");
  auto created = http.post(stack.url("/v1/cases"), example_case().dump(), {{"Content-Type", "application/json"}});
  ASSERT_EQ(created.status, 201) << created.body;
  Json view = Json::parse(created.body);
  std::string case_id = view["case_id"];
  EXPECT_EQ(created.header("Location"), "/v1/cases/" + case_id);
  ASSERT_EQ(view["requests"].size(), 5u);
  for (const auto& r : view["requests"]) EXPECT_EQ(r["state"], "queued");

  view = wait_for_case(http, stack, case_id, [](const Json& v) {
    return !request_for(v, "allowance")["agency_reference"].is_null() &&
           !request_for(v, "employment")["agency_reference"].is_null() && all_delivered(v);
  });
  EXPECT_EQ(request_for(view, "allowance")["state"], "acknowledged");
  EXPECT_EQ(request_for(view, "allowance")["agency_reference"].get<std::string>().rfind("AUU-", 0), 0u);
  EXPECT_EQ(request_for(view, "employment")["state"], "acknowledged");
  EXPECT_EQ(request_for(view, "employment")["agency_reference"].get<std::string>().rfind("FTO-", 0), 0u);
  for (std::string need : {"housing", "childcare", "psych_support"}) EXPECT_EQ(request_for(view, need)["state"], "sent");
  EXPECT_EQ(view["overall"], "in_progress");

  // The CAF shares the abuser's household file: nothing that reaches the victim goes there.
  Json caf = stack.received("caf");
  ASSERT_EQ(caf["effects"], 1);
  std::string caf_body = caf["received"][0]["body"].dump();
  for (std::string secret : {"+33612345678", "amina.b@example.org", "Lilas", "Pontoise"}) {
    EXPECT_EQ(caf_body.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(caf["received"][0]["body"]["securisationDossier"], true);
  EXPECT_EQ(stack.received("france_travail")["effects"], 1);

  Maildir mail = stack.maildir();
  for (const auto& address : kEmailAgencies) {
    auto messages = mail.wait_for_messages(address, 1, 10s);
    ASSERT_EQ(messages.size(), 1u) << address;
    EXPECT_NE(messages[0].subject().find("[GCH-"), std::string::npos);
    // The confidential address never leaves the hub, whatever the agency.
    EXPECT_EQ(messages[0].raw.find("Lilas"), std::string::npos) << address;
  }
  EXPECT_NE(mail.messages("siao95@siao.example.org")[0].subject().find("CE SOIR"), std::string::npos);

  auto disclosures = Json::parse(http.get(stack.url("/v1/cases/" + case_id + "/disclosures")).body)["disclosures"];
  EXPECT_EQ(disclosures.size(), 5u);
}

TEST(Hub, AgencyAnswersMoveTheStatusByWebhookAndByPolling) {
  HubStackOptions options;
  options.step_ms = 400;
  HubStack stack(options);
  HttpClient http = stack.client("referent-a");
  Json body = example_case();
  body["needs"] = Json::parse(R"([{"kind":"allowance"},{"kind":"employment"}])");
  body["consent"] = Json::parse(R"({"allowance":true,"employment":true})");
  auto created = http.post(stack.url("/v1/cases"), body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  Json view = wait_for_case(http, stack, Json::parse(created.body)["case_id"], [](const Json& v) {
    for (const auto& r : v["requests"]) {
      if (r["state"] != "accepted" && r["state"] != "refused") return false;
    }
    return true;
  });
  std::set<std::string> sources;
  for (const auto& r : view["requests"]) {
    for (const auto& h : r["history"]) sources.insert(h["source"]);
  }
  EXPECT_TRUE(sources.count("webhook")) << view.dump(2);  // the CAF calls back
  EXPECT_TRUE(sources.count("poll")) << view.dump(2);     // France Travail is asked
  EXPECT_EQ(view["overall"], "completed");
}

TEST(Hub, BadInputIsRefusedNamingTheFieldAndStoresNothing) {
  HubStack stack;
  HttpClient http = stack.client("referent-a");
  struct Bad {
    std::string body;
    std::string code;
    std::string field;
  };
  auto with = [](const std::string& pointer, const Json& value) {
    Json body = example_case();
    body[Json::json_pointer(pointer)] = value;
    return body.dump();
  };
  Json no_birth_name = example_case();
  no_birth_name["person"].erase("birth_name");
  const std::vector<Bad> cases = {
      {"not json", "invalid_json", ""},
      {"[1,2]", "invalid_request", ""},
      {no_birth_name.dump(), "invalid_request", "person.birth_name"},
      {with("/person/birth_date", "12/04/1990"), "invalid_request", "person.birth_date"},
      {with("/person/birth_date", "2999-01-01"), "invalid_request", "person.birth_date"},
      {with("/needs/1/kind", "teleportation"), "invalid_request", "needs[1].kind"},
      {with("/needs/1/kind", "allowance"), "invalid_request", "needs[1].kind"},
      {with("/consent/housing", false), "invalid_request", "consent.housing"},
      {with("/situation/department", "2A"), "invalid_request", "situation.department"},
  };
  for (const auto& bad : cases) {
    auto answer = http.post(stack.url("/v1/cases"), bad.body);
    EXPECT_EQ(answer.status, 400) << bad.body.substr(0, 60);
    Json error = Json::parse(answer.body)["error"];
    EXPECT_EQ(error["code"], bad.code) << answer.body;
    if (!bad.field.empty()) {
      EXPECT_EQ(error["field"], bad.field) << answer.body;
    }
  }
  // An oversized body is refused from its Content-Length, before the hub reads any of it.
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress(stack.url("").substr(7)));
  std::string head = "POST /v1/cases HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer " + stack.token("referent-a") +
                     "\r\nContent-Length: 2097152\r\n\r\n";
  socket.sendBytes(head.data(), static_cast<int>(head.size()));
  char answer[512] = {};
  socket.receiveBytes(answer, sizeof answer - 1);
  EXPECT_EQ(std::string(answer).rfind("HTTP/1.1 413", 0), 0u) << answer;
  auto listed = Json::parse(http.get(stack.url("/v1/cases")).body);
  EXPECT_TRUE(listed["cases"].empty());
  EXPECT_EQ(stack.received("caf")["effects"], 0);
}

TEST(Hub, OwnershipAuthenticationAndOperations) {
  HubStack stack;
  HttpClient alice = stack.client("alice");
  HttpClient bob = stack.client("bob");
  auto created = alice.post(stack.url("/v1/cases"), example_case().dump());
  ASSERT_EQ(created.status, 201);
  std::string case_id = Json::parse(created.body)["case_id"];
  EXPECT_EQ(bob.get(stack.url("/v1/cases/" + case_id)).status, 404);
  EXPECT_EQ(bob.del(stack.url("/v1/cases/" + case_id)).status, 404);
  EXPECT_EQ(HttpClient().get(stack.url("/v1/cases/" + case_id)).status, 401);
  HttpClient forged;
  forged.set_bearer(stack.token("alice") + "x");
  EXPECT_EQ(forged.get(stack.url("/v1/cases")).status, 401);

  EXPECT_EQ(HttpClient().get(stack.url("/healthz")).status, 200);
  auto connectors = Json::parse(alice.get(stack.url("/v1/connectors")).body)["connectors"];
  ASSERT_EQ(connectors.size(), 5u);
  for (const auto& c : connectors) EXPECT_EQ(c["state"], "ready") << c.dump();

  wait_for_case(alice, stack, case_id, all_delivered);
  std::string metrics = HttpClient().get(stack.url("/metrics")).body;
  EXPECT_NE(metrics.find("guichet_dispatch_total"), std::string::npos);
  for (const std::string& personal : std::vector<std::string>{"Benali", "Amina", "290049501812345", case_id}) {
    EXPECT_EQ(metrics.find(personal), std::string::npos) << personal;
  }
  EXPECT_EQ(stack.hub_log().find("Benali"), std::string::npos);

  EXPECT_EQ(alice.del(stack.url("/v1/cases/" + case_id)).status, 204);
  EXPECT_EQ(alice.get(stack.url("/v1/cases/" + case_id)).status, 404);
}

TEST(Hub, AnOwnerSharesACaseWithAColleagueOfTheDepartmentAndEndsIt) {
  HubStack stack;
  HttpClient alice = stack.client("alice");
  HttpClient bob = stack.client("bob");
  HttpClient carol;  // a référent of another department
  carol.set_bearer(stack.token("carol", "93"));
  auto created = alice.post(stack.url("/v1/cases"), example_case().dump());
  ASSERT_EQ(created.status, 201);
  std::string case_id = Json::parse(created.body)["case_id"];
  std::string path = "/v1/cases/" + case_id;
  auto listed = [&](HttpClient& who) {
    Json page = Json::parse(who.get(stack.url("/v1/cases")).body);
    std::vector<std::string> ids;
    for (const auto& c : page["cases"]) ids.push_back(c["case_id"]);
    return ids;
  };
  auto error_of = [](const HttpResponse& answer) { return Json::parse(answer.body)["error"]; };

  EXPECT_EQ(bob.get(stack.url(path)).status, 404);
  EXPECT_EQ(bob.post(stack.url(path + "/delegates"), R"({"referent":"bob"})").status, 404);  // not his to share
  for (const char* bad : {R"({})", R"({"referent":""})", R"({"referent":7})", R"({"referent":"alice"})",
                          R"({"referent":"bo\nb"})"}) {
    HttpResponse refused = alice.post(stack.url(path + "/delegates"), bad);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_EQ(error_of(refused)["field"], "referent") << bad;
  }

  HttpResponse shared = alice.post(stack.url(path + "/delegates"), R"({"referent":"bob"})");
  ASSERT_EQ(shared.status, 200) << shared.body;
  EXPECT_EQ(Json::parse(shared.body)["delegates"], Json::array({"bob"}));
  EXPECT_EQ(alice.post(stack.url(path + "/delegates"), R"({"referent":"carol"})").status, 200);

  // Bob works on it as Alice does: reads, lists, freezes; he may neither share it nor erase it.
  HttpResponse seen = bob.get(stack.url(path));
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(Json::parse(seen.body)["owner"], "alice");
  EXPECT_EQ(Json::parse(seen.body)["delegates"], Json::array({"bob", "carol"}));
  EXPECT_EQ(listed(bob), std::vector<std::string>{case_id});
  EXPECT_EQ(bob.post(stack.url(path + "/freeze"), "").status, 202);
  EXPECT_EQ(bob.post(stack.url(path + "/unfreeze"), "").status, 202);
  EXPECT_EQ(bob.get(stack.url(path + "/disclosures")).status, 200);
  HttpResponse reshared = bob.post(stack.url(path + "/delegates"), R"({"referent":"dave"})");
  EXPECT_EQ(reshared.status, 403);
  EXPECT_EQ(error_of(reshared)["code"], "forbidden");
  EXPECT_EQ(bob.del(stack.url(path)).status, 403);
  EXPECT_EQ(bob.del(stack.url(path + "/delegates/carol")).status, 403);

  // Carol's token is of another department: the case stays closed to her, and out of her list.
  EXPECT_EQ(carol.get(stack.url(path)).status, 404);
  EXPECT_EQ(listed(carol), std::vector<std::string>{});

  // Bob gives it back; Alice takes it from Carol; then neither sees it.
  EXPECT_EQ(bob.del(stack.url(path + "/delegates/bob")).status, 204);
  EXPECT_EQ(bob.get(stack.url(path)).status, 404);
  EXPECT_EQ(listed(bob), std::vector<std::string>{});
  EXPECT_EQ(alice.del(stack.url(path + "/delegates/carol")).status, 204);
  EXPECT_EQ(alice.del(stack.url(path + "/delegates/carol")).status, 404);
  EXPECT_EQ(Json::parse(alice.get(stack.url(path)).body)["delegates"], Json::array());

  // Metrics name the route, not the colleague.
  std::string metrics = HttpClient().get(stack.url("/metrics")).body;
  EXPECT_NE(metrics.find("DELETE /v1/cases/:id/delegates/:referent"), std::string::npos);
  EXPECT_EQ(metrics.find("carol"), std::string::npos);
}

TEST(Hub, EachReferentHasItsOwnRateLimit) {
  HubStackOptions options;
  options.http = {{"rate_per_minute", 30}, {"burst", 5}};  // one more every two seconds
  HubStack stack(options);
  HttpClient alice = stack.client("alice");
  HttpClient bob = stack.client("bob");
  int served = 0;
  HttpResponse refused;
  for (int i = 0; i < 10 && refused.status == 0; ++i) {
    HttpResponse answer = alice.get(stack.url("/v1/cases"));
    if (answer.status == 200) {
      ++served;
    } else {
      refused = answer;
    }
  }
  EXPECT_GE(served, 5);
  EXPECT_LE(served, 6);  // a slow loop may see one refill
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(Json::parse(refused.body)["error"]["code"], "rate_limited");
  int retry_after = std::stoi(refused.header("Retry-After"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);

  EXPECT_EQ(bob.get(stack.url("/v1/cases")).status, 200);
  EXPECT_EQ(HttpClient().get(stack.url("/healthz")).status, 200);
  EXPECT_EQ(HttpClient().get(stack.url("/metrics")).status, 200);
  HttpResponse post = alice.post(stack.url("/v1/cases"), example_case().dump());
  ASSERT_EQ(post.status, 429);
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(post.header("Retry-After"))));
  HttpResponse listed = alice.get(stack.url("/v1/cases"));
  ASSERT_EQ(listed.status, 200);
  EXPECT_TRUE(Json::parse(listed.body)["cases"].empty()) << "the refused POST stored nothing";
}

TEST(Hub, AHubKilledRightAfterItsAnswerDeliversEachRequestExactlyOnce) {
  HubStack stack;
  std::vector<std::string> case_ids;
  for (int round = 0; round < 3; ++round) {
    HttpClient http = stack.client("referent-a");
    auto created = http.post(stack.url("/v1/cases"), example_case().dump());
    ASSERT_EQ(created.status, 201) << created.body;
    case_ids.push_back(Json::parse(created.body)["case_id"]);
    stack.kill_hub();
    stack.start_hub();
  }
  HttpClient http = stack.client("referent-a");
  for (const auto& id : case_ids) wait_for_case(http, stack, id, all_delivered, 60s);

  // One effect per request at each agency, whatever was retried.
  EXPECT_EQ(stack.received("caf")["effects"], 3);
  EXPECT_EQ(stack.received("france_travail")["effects"], 3);
  for (const auto& address : kEmailAgencies) {
    std::set<std::string> distinct;
    for (const auto& message : stack.maildir().messages(address)) distinct.insert(message.message_id());
    EXPECT_EQ(distinct.size(), 3u) << address;
  }
}

}  // namespace
}  // namespace guichet::test
