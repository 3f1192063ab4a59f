// Replies by mail, end to end with every real part: the hub sends each e-mail agency its request
// over SMTP (scripts/mailserver); `guichet-sim email_agencies` reads it over POP3 (dovecot) and
// answers like people do; the hub reads its own mailbox over POP3, matches each answer to its
// request and moves it, or queues it for the référent; a bounce fails its request.
#include "guichet/test/harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <iostream>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kMailNeeds = {"housing", "childcare", "psych_support"};

// A case for the three agencies that answer by mail.
Json mail_case() {
  Json body = Json::parse(R"({
    "person": {
      "given_names": ["Amina"], "birth_name": "Benali", "sex": "F", "birth_date": "1990-04-12",
      "phone": "+33612345678",
      "address": {"line": "12 rue des Lilas", "postcode": "95000", "city": "Cergy"},
      "children": [{"given_name": "Lina", "birth_date": "2022-05-01"}],
      "languages": ["fr"]
    },
    "situation": {"department": "95", "proof": {"kind": "complaint"}, "safe_channel": "phone"},
    "needs": [{"kind": "housing", "urgency": "tonight"}, {"kind": "childcare", "children": [0]},
              {"kind": "psych_support"}],
    "consent": {"housing": true, "childcare": true, "psych_support": true}
  })");
  body["situation"]["proof"]["date"] = days_ago(3);
  return body;
}

const Json& request_for(const Json& view, const std::string& need) {
  for (const auto& r : view["requests"]) {
    if (r["need"] == need) return r;
  }
  throw std::runtime_error("no request for " + need);
}

// Polls `probe` every 50 ms until `done` holds for what it returns; fails with the last value.
Json wait_until(const std::function<Json()>& probe, const std::function<bool(const Json&)>& done,
                const HubStack& stack, std::chrono::seconds timeout = 60s) {
  auto deadline = Clock::now() + timeout;
  Json last;
  while (Clock::now() < deadline) {
    last = probe();
    if (done(last)) return last;
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "never reached: " << last.dump(2) << "\n" << stack.hub_log();
  return last;
}

class MailRepliesTest : public ::testing::Test {
 protected:
  std::string create_case(const HttpClient& http, const HubStack& stack) {
    HttpResponse created = http.post(stack.url("/v1/cases"), mail_case().dump());
    EXPECT_EQ(created.status, 201) << created.body;
    return Json::parse(created.body)["case_id"];
  }
  Json view(const HttpClient& http, const HubStack& stack, const std::string& case_id) {
    HttpResponse answer = http.get(stack.url("/v1/cases/" + case_id));
    return answer.status == 200 ? Json::parse(answer.body) : Json();
  }
};

TEST_F(MailRepliesTest, TheThreeEmailAgenciesMoveTheirRequestsByMailAlone) {
  HubStackOptions options;
  options.email_agencies = true;
  options.step_ms = 2000;
  HubStack stack(options);
  HttpClient http = stack.client("referent-a");
  std::string case_id = create_case(http, stack);

  // Time from the hub's request to the status the référent sees, for each agency's two answers.
  std::map<std::string, Clock::time_point> sent, acknowledged, decided;
  auto start = Clock::now();
  Json last = wait_until([&] { return view(http, stack, case_id); },
                         [&](const Json& v) {
                           if (v.is_null()) return false;
                           auto now = Clock::now();
                           for (const auto& need : kMailNeeds) {
                             std::string state = request_for(v, need)["state"];
                             if (state == "sent" && !sent.count(need)) sent[need] = now;
                             if (state == "acknowledged" && !acknowledged.count(need)) acknowledged[need] = now;
                             if (state == "accepted" && !decided.count(need)) decided[need] = now;
                           }
                           return decided.size() == kMailNeeds.size();
                         },
                         stack);
  for (const auto& need : kMailNeeds) {
    const Json& request = request_for(last, need);
    EXPECT_EQ(request["state"], "accepted") << need;
    EXPECT_FALSE(request["agency_reference"].is_null()) << need;
    std::vector<std::string> states, sources;
    for (const auto& entry : request["history"]) {
      states.push_back(entry["state"]);
      sources.push_back(entry["source"]);
    }
    EXPECT_EQ(states, (std::vector<std::string>{"queued", "sent", "acknowledged", "accepted"})) << need;
    EXPECT_EQ(sources.back(), "email") << need;
    EXPECT_EQ(sources[2], "email") << need;
    auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    std::cout << "[ figures  ] " << need << ": sent after " << ms(sent[need] - start) << " ms, acknowledged after "
              << ms(acknowledged[need] - start) << " ms, accepted after " << ms(decided[need] - start)
              << " ms (agency's decision step 2000 ms)\n";
  }
  EXPECT_EQ(last["overall"], "completed");
  // Nothing waits for a person, and the hub's mailbox is empty: every answer was taken.
  EXPECT_TRUE(Json::parse(http.get(stack.url("/v1/review")).body)["items"].empty());
  EXPECT_TRUE(fetch_mail(stack.pop3(), "guichet@guichet.local").empty());
  // What the hub logged of it names requests, never a sender or a text.
  std::string log = stack.hub_log();
  EXPECT_EQ(log.find("siao95@"), std::string::npos);
  EXPECT_EQ(log.find("Benali"), std::string::npos);
}

// The CIDFF is a partner configured in config/departments/95.json alone (generic_email): its reply
// rules, as shipped, read the answers the simulated CIDFF writes.
TEST_F(MailRepliesTest, APartnerConfiguredByRulesAloneIsFollowedByMailToo) {
  HubStackOptions options;
  options.email_agencies = true;
  options.step_ms = 1000;
  options.edit_department = [](Json& department) {
    Json shipped = Json::parse(read_file(Paths::config_dir() / "departments" / "95.json"));
    for (const auto& instance : shipped["instances"]) {
      if (instance["instance"] == "cidff-95") department["instances"].push_back(instance);
    }
  };
  HubStack stack(options);
  HttpClient http = stack.client("referent-a");
  Json body = mail_case();
  body["needs"] = Json::array({Json{{"kind", "psych_support"}}});
  body["consent"] = Json{{"psych_support", true}};
  HttpResponse created = http.post(stack.url("/v1/cases"), body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string case_id = Json::parse(created.body)["case_id"];
  Json last = wait_until([&] { return view(http, stack, case_id); },
                         [](const Json& v) {
                           if (v.is_null()) return false;
                           for (const auto& r : v["requests"]) {
                             if (r["connector"] == "cidff-95") return r["state"] == "accepted";
                           }
                           return false;
                         },
                         stack);
  for (const auto& r : last["requests"]) {
    if (r["connector"] != "cidff-95") continue;
    EXPECT_EQ(r["agency_reference"], "AG-95-0001");
    EXPECT_EQ(r["history"][2]["state"], "acknowledged");
    EXPECT_EQ(r["history"][2]["source"], "email");
  }
  EXPECT_TRUE(Json::parse(http.get(stack.url("/v1/review")).body)["items"].empty());
}

TEST_F(MailRepliesTest, AReplyNoConnectorCanReadWaitsForTheReferentWhoFilesIt) {
  HubStackOptions options;
  options.email_agencies = true;
  options.step_ms = 1000;
  options.email_first_sequence = 7;  // the simulated agencies' seventh answer is free text
  HubStack stack(options);
  HttpClient alice = stack.client("referent-a");
  std::string case_id = create_case(alice, stack);

  Json items = wait_until([&] { return Json::parse(alice.get(stack.url("/v1/review")).body)["items"]; },
                          [](const Json& list) { return list.size() == 3; }, stack)
                   .get<Json>();
  ASSERT_EQ(items.size(), 3u);
  Json view_now = view(alice, stack, case_id);
  for (const auto& item : items) {
    EXPECT_EQ(item["case_id"], case_id);
    EXPECT_FALSE(item["text"].get<std::string>().empty());
    EXPECT_FALSE(item["from"].get<std::string>().empty());
    // The acknowledgement before it was read by the connector on its own.
    std::string need;
    for (const auto& r : view_now["requests"]) {
      if (r["request_id"] == item["request_id"]) need = r["need"];
    }
    EXPECT_EQ(request_for(view_now, need)["state"], "acknowledged") << need;
  }

  // A colleague of the same department does not see mails about Alice's case.
  EXPECT_TRUE(Json::parse(stack.client("referent-b").get(stack.url("/v1/review")).body)["items"].empty());
  HttpResponse not_hers = stack.client("referent-b").post(stack.url("/v1/review/" + items[0]["id"].get<std::string>()),
                                                          R"({"state":"accepted"})");
  EXPECT_EQ(not_hers.status, 404);

  HttpResponse bad = alice.post(stack.url("/v1/review/" + items[0]["id"].get<std::string>()), R"({"state":"sent"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json::parse(bad.body)["error"]["field"], "state");

  HttpResponse filed = alice.post(stack.url("/v1/review/" + items[0]["id"].get<std::string>()),
                                  R"({"state":"accepted","message":"place confirmée par téléphone"})");
  ASSERT_EQ(filed.status, 200) << filed.body;
  HttpResponse dismissed = alice.del(stack.url("/v1/review/" + items[1]["id"].get<std::string>()));
  EXPECT_EQ(dismissed.status, 204);

  Json after = view(alice, stack, case_id);
  for (const auto& r : after["requests"]) {
    if (r["request_id"] == items[0]["request_id"]) {
      EXPECT_EQ(r["state"], "accepted");
      EXPECT_EQ(r["message"], "place confirmée par téléphone");
      EXPECT_EQ(r["history"].back()["source"], "referent");
    }
  }
  Json left = Json::parse(alice.get(stack.url("/v1/review")).body)["items"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["id"], items[2]["id"]);
}

TEST_F(MailRepliesTest, ABouncedRequestFailsWithTheMailServersReason) {
  HubStackOptions options;
  options.email_agencies = true;
  options.edit_department = [](Json& department) {
    for (auto& instance : department["instances"]) {
      if (instance["instance"] == "siao-95") instance["settings"]["to"] = "siao@siao95.invalid";
    }
  };
  HubStack stack(options);
  HttpClient http = stack.client("referent-a");
  std::string case_id = create_case(http, stack);
  Json last = wait_until([&] { return view(http, stack, case_id); },
                         [](const Json& v) { return !v.is_null() && request_for(v, "housing")["state"] == "failed"; },
                         stack);
  const Json& housing = request_for(last, "housing");
  EXPECT_EQ(housing["state"], "failed");
  EXPECT_NE(housing["message"].get<std::string>().find("5.1."), std::string::npos) << housing.dump();
  EXPECT_EQ(housing["history"].back()["source"], "email");
  // The other agencies are not concerned.
  EXPECT_NE(request_for(last, "childcare")["state"], "failed");
}

}  // namespace
}  // namespace guichet::test
