// The référent answers an agency's question through the hub, end to end: the simulated CAF asks
// for a missing piece over its REST API (a report to the prosecutor does not date the complaint), the three e-mail agencies ask a question by mail; the
// référent answers each in one call; the CAF gets it on the demande, the others as a mail in the
// request's thread; each resumes and decides, and the case shows it.
#include "guichet/test/harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kNeeds = {"allowance", "housing", "childcare", "psych_support"};
// What the référent writes: it must reach the agencies and nothing else (not a log, not a row in clear).
const std::string kAnswer = "Plainte déposée le 3 novembre au commissariat de Pontoise — canari-réponse-7Q2";

Json answered_case() {
  Json body = Json::parse(R"({
    "person": {
      "given_names": ["Amina"], "birth_name": "Benali", "sex": "F", "birth_date": "1990-04-12",
      "phone": "+33612345678",
      "address": {"line": "12 rue des Lilas", "postcode": "95000", "city": "Cergy"},
      "contact_address": {"line": "c/o Maître Durand, 3 place du Palais", "postcode": "95300", "city": "Pontoise"},
      "caf_number": "1234567",
      "children": [{"given_name": "Lina", "birth_date": "2022-05-01"}],
      "languages": ["fr"]
    },
    "situation": {"department": "95", "proof": {"kind": "prosecutor_report"}, "abuser_in_caf_household": false,
                  "safe_channel": "phone"},
    "needs": [{"kind": "allowance"}, {"kind": "housing", "urgency": "tonight"}, {"kind": "childcare", "children": [0]},
              {"kind": "psych_support"}],
    "consent": {"allowance": true, "housing": true, "childcare": true, "psych_support": true}
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

Json wait_for_case(const HttpClient& http, const HubStack& stack, const std::string& case_id,
                   const std::function<bool(const Json&)>& done, std::chrono::seconds timeout = 60s) {
  auto deadline = Clock::now() + timeout;
  Json view;
  while (Clock::now() < deadline) {
    HttpResponse answer = http.get(stack.url("/v1/cases/" + case_id));
    if (answer.status == 200) {
      view = Json::parse(answer.body);
      if (done(view)) return view;
    }
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "case did not reach the expected state: " << view.dump(2) << "\n" << stack.hub_log();
  return view;
}

bool every(const Json& view, const std::function<bool(const Json&)>& holds) {
  for (const auto& need : kNeeds) {
    if (!holds(request_for(view, need))) return false;
  }
  return true;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Answers, EachAgencyThatAskedGetsTheReferentsAnswerAndDecides) {
  HubStackOptions options;
  options.email_agencies = true;
  options.email_first_sequence = 4;  // the simulated agencies' fourth request gets a question
  options.step_ms = 1000;
  HubStack stack(options);
  HttpClient alice = stack.client("referent-a");
  HttpResponse created = alice.post(stack.url("/v1/cases"), answered_case().dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string case_id = Json::parse(created.body)["case_id"];

  Json asked = wait_for_case(alice, stack, case_id, [](const Json& v) {
    return every(v, [](const Json& r) { return r["state"] == "info_requested"; });
  });
  std::map<std::string, std::string> path;
  for (const auto& need : kNeeds) {
    const Json& request = request_for(asked, need);
    EXPECT_TRUE(request["can_answer"].get<bool>()) << need;
    EXPECT_FALSE(request["message"].is_null()) << need;  // the question itself
    path[need] = stack.url("/v1/cases/" + case_id + "/requests/" + request["request_id"].get<std::string>() + "/answer");
  }

  // Bad answers are refused naming the field; someone else's case does not exist; nothing moves.
  for (const char* bad : {R"({})", R"({"text":""})", R"({"text":"   "})", R"({"text":42})", R"({"text":"a\u0007b"})"}) {
    HttpResponse refused = alice.post(path["allowance"], bad);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_EQ(Json::parse(refused.body)["error"]["field"], "text") << bad;
  }
  EXPECT_EQ(alice.post(path["allowance"], Json{{"text", std::string(4001, 'a')}}.dump()).status, 400);
  EXPECT_EQ(stack.client("referent-b").post(path["allowance"], Json{{"text", kAnswer}}.dump()).status, 404);
  EXPECT_EQ(request_for(wait_for_case(alice, stack, case_id, [](const Json&) { return true; }), "allowance")["state"],
            "info_requested");

  auto answered_at = Clock::now();
  for (const auto& need : kNeeds) {
    HttpResponse answered = alice.post(path[need], Json{{"text", kAnswer}}.dump());
    EXPECT_EQ(answered.status, 202) << need << ": " << answered.body;
  }
  // Answered once, the question is closed: a second answer is a conflict.
  HttpResponse again = alice.post(path["allowance"], Json{{"text", kAnswer}}.dump());
  EXPECT_EQ(again.status, 409);

  std::map<std::string, Clock::time_point> delivered, decided;
  Json last = wait_for_case(alice, stack, case_id, [&](const Json& v) {
    auto now = Clock::now();
    for (const auto& need : kNeeds) {
      const Json& r = request_for(v, need);
      for (const auto& entry : r["history"]) {
        if (entry["source"] == "dispatch" && entry["state"] == "in_review" && !delivered.count(need)) delivered[need] = now;
      }
      if (r["state"] == "accepted" && !decided.count(need)) decided[need] = now;
    }
    return decided.size() == kNeeds.size();
  });
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  for (const auto& need : kNeeds) {
    const Json& request = request_for(last, need);
    EXPECT_EQ(request["state"], "accepted") << need;
    EXPECT_FALSE(request["can_answer"].get<bool>()) << need;
    std::vector<std::string> states;
    for (const auto& entry : request["history"]) states.push_back(entry["state"].get<std::string>() + "/" + entry["source"].get<std::string>());
    // Asked, answered by the référent, handed to the agency, decided by the agency.
    auto asked_at = std::find_if(states.begin(), states.end(), [](const std::string& s) { return s.rfind("info_requested/", 0) == 0; });
    ASSERT_NE(asked_at, states.end()) << need;
    EXPECT_EQ(*std::next(asked_at), "in_review/referent") << need;
    EXPECT_EQ(*std::next(asked_at, 2), "in_review/dispatch") << need;
    EXPECT_EQ(states.back().substr(0, 9), "accepted/") << need;
    std::cout << "[ figures  ] " << need << ": answer handed to the agency after " << ms(delivered[need] - answered_at)
              << " ms, decided after " << ms(decided[need] - answered_at) << " ms (agency step 1000 ms)\n";
  }

  // The CAF got the text on its demande, once, under the answer's own key.
  Json caf = stack.received("caf");
  int complements = 0;
  for (const auto& effect : caf["received"]) {
    if (effect["path"].get<std::string>().find("/complements") == std::string::npos) continue;
    ++complements;
    EXPECT_EQ(effect["body"]["texte"], kAnswer);
    EXPECT_NE(effect["idempotency_key"].get<std::string>().find("-answer-"), std::string::npos);
  }
  EXPECT_EQ(complements, 1) << caf.dump(2);

  // The text is the référent's words for the agencies: never in the hub's log, nor in clear in its database.
  EXPECT_EQ(stack.hub_log().find("canari-réponse"), std::string::npos);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(stack.data_dir())) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(file_text(entry.path()).find("canari-réponse"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace guichet::test
