// Privacy under attack, with every real part running: canary values in every person field go
// through the whole flow (five agencies, mail both ways) and are then looked for where they must
// never be — the hub's log, /metrics, error answers, the database and its WAL; one référent probes
// a thousand case ids; a backup restored after an erasure still cannot be read.
#include "guichet/test/harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// One unique value per person field; digits-only fields get digit canaries.
const std::map<std::string, std::string> kCanaries = {
    {"given_names", "Zorabelle"},       {"birth_name", "Quillondre"},     {"usage_name", "Varnetique"},
    {"nir", "290049501899173"},         {"phone", "+33699173452"},       {"email", "zq.canary@example.org"},
    {"address", "Impasse Brumaroche"},  {"contact", "Allee Vostrenade"}, {"caf_number", "9917345"},
    {"france_travail_id", "FT9917QX"},  {"child", "Pimbrolette"}};

Json canary_case() {
  Json body = {
      {"person",
       {{"given_names", {kCanaries.at("given_names")}},
        {"birth_name", kCanaries.at("birth_name")},
        {"usage_name", kCanaries.at("usage_name")},
        {"sex", "F"},
        {"birth_date", "1990-04-12"},
        {"nir", kCanaries.at("nir")},
        {"phone", kCanaries.at("phone")},
        {"email", kCanaries.at("email")},
        {"address", {{"line", "3 " + kCanaries.at("address")}, {"postcode", "95000"}, {"city", "Cergy"}}},
        {"contact_address", {{"line", "5 " + kCanaries.at("contact")}, {"postcode", "95300"}, {"city", "Pontoise"}}},
        {"caf_number", kCanaries.at("caf_number")},
        {"france_travail_id", kCanaries.at("france_travail_id")},
        {"children", {{{"given_name", kCanaries.at("child")}, {"birth_date", "2022-05-01"}}}},
        {"languages", {"fr"}}}},
      {"situation",
       {{"department", "95"},
        {"proof", {{"kind", "complaint"}, {"date", days_ago(3)}}},
        {"abuser_in_caf_household", true},
        {"address_confidential", true},
        {"safe_channel", "phone"}}},
      {"needs", Json::array({{{"kind", "allowance"}}, {{"kind", "employment"}}, {{"kind", "housing"}},
                             {{"kind", "childcare"}, {"children", {0}}}, {{"kind", "psych_support"}}})},
      {"consent", {{"allowance", true}, {"employment", true}, {"housing", true}, {"childcare", true},
                   {"psych_support", true}}}};
  return body;
}

std::string file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every canary found in `text`, by name.
std::vector<std::string> canaries_in(const std::string& text) {
  std::vector<std::string> found;
  for (const auto& [name, value] : kCanaries) {
    if (text.find(value) != std::string::npos) found.push_back(name);
  }
  return found;
}

Json view_of(const HttpClient& http, const HubStack& stack, const std::string& case_id) {
  HttpResponse answer = http.get(stack.url("/v1/cases/" + case_id));
  return answer.status == 200 ? Json::parse(answer.body) : Json();
}

bool settled(const Json& view) {
  if (view.is_null()) return false;
  for (const auto& r : view["requests"]) {
    std::string state = r["state"];
    if (state == "queued" || state == "sent") return false;
  }
  return true;
}

TEST(Privacy, CanariesReachOnlyAgencyPayloadsNeverLogsMetricsErrorsOrTheDatabase) {
  HubStackOptions options;
  options.email_agencies = true;
  options.step_ms = 1000;
  options.log_level = "debug";  // the most the hub ever writes
  HubStack stack(options);
  HttpClient http = stack.client("referent-canary");
  HttpResponse created = http.post(stack.url("/v1/cases"), canary_case().dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string case_id = Json::parse(created.body)["case_id"];
  EXPECT_TRUE(canaries_in(created.body).empty()) << "the 201 answer is the case's status, not its person";

  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < deadline && !settled(view_of(http, stack, case_id));) {
    std::this_thread::sleep_for(200ms);
  }
  Json view = view_of(http, stack, case_id);
  ASSERT_TRUE(settled(view)) << view.dump(2);

  // Bad input carrying canaries: the error names the field, never the value.
  Json bad = canary_case();
  bad["person"]["birth_date"] = kCanaries.at("birth_name");
  bad["person"]["phone"] = kCanaries.at("given_names");
  HttpResponse refused = http.post(stack.url("/v1/cases"), bad.dump());
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(canaries_in(refused.body), std::vector<std::string>{}) << refused.body;

  // The agencies got their share, so the flow was real; the CAF shares the abuser's household
  // file, so nothing of the victim's new life goes there.
  std::string caf = stack.received("caf").dump();
  EXPECT_NE(caf.find(kCanaries.at("birth_name")), std::string::npos);
  for (const char* forbidden : {"phone", "email", "address", "contact"}) {
    EXPECT_EQ(caf.find(kCanaries.at(forbidden)), std::string::npos) << forbidden;
  }

  std::string metrics = HttpClient().get(stack.url("/metrics")).body;
  EXPECT_EQ(canaries_in(metrics), std::vector<std::string>{});
  stack.stop_hub();  // flushes the log and leaves the database files closed
  std::string log = stack.hub_log();
  for (const char* line : {"Debug http: POST /v1/cases 201", "Debug dispatch: hub/", "Debug mailbox: mail "}) {
    EXPECT_NE(log.find(line), std::string::npos) << "the log was not at debug level: no \"" << line << '"';
  }
  EXPECT_EQ(canaries_in(log), std::vector<std::string>{}) << "hub log";
  for (const auto& entry : fs::recursive_directory_iterator(stack.data_dir())) {
    if (!entry.is_regular_file() || entry.path().filename() == "secrets.json") continue;
    std::string name = entry.path().filename().string();
    // The mail server's Maildirs hold the agencies' mail, which is theirs to read; everything
    // else is the hub's.
    if (entry.path().string().find("/mail/") != std::string::npos) continue;
    EXPECT_EQ(canaries_in(file_bytes(entry.path())), std::vector<std::string>{}) << entry.path();
  }
}

TEST(Privacy, AReferentProbingAThousandCaseIdsLearnsNothing) {
  HubStack stack;
  HttpClient alice = stack.client("referent-alice");
  HttpResponse created = alice.post(stack.url("/v1/cases"), canary_case().dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string real = Json::parse(created.body)["case_id"];

  HttpClient mallory = stack.client("referent-mallory");
  HttpResponse on_real = mallory.get(stack.url("/v1/cases/" + real));
  EXPECT_EQ(on_real.status, 404);
  std::mt19937_64 random(std::random_device{}());
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  int not_found = 0, same_body = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string id = "c_";
    for (int k = 0; k < 22; ++k) id += alphabet[random() % alphabet.size()];
    HttpResponse answer = mallory.get(stack.url("/v1/cases/" + id));
    not_found += answer.status == 404;
    same_body += answer.body == on_real.body;
  }
  // Her real case and a thousand made-up ids answer alike: nothing tells one from the others.
  EXPECT_EQ(not_found, 1000);
  EXPECT_EQ(same_body, 1000);
  for (const char* path : {"/disclosures", "/requests/r_x/retry", "/freeze"}) {
    HttpResponse answer = std::string(path) == "/disclosures" ? mallory.get(stack.url("/v1/cases/" + real + path))
                                                              : mallory.post(stack.url("/v1/cases/" + real + path), "{}");
    EXPECT_EQ(answer.status, 404) << path;
  }
  EXPECT_EQ(mallory.del(stack.url("/v1/cases/" + real)).status, 404);
  EXPECT_EQ(alice.get(stack.url("/v1/cases/" + real)).status, 200);  // and her case is untouched
}

TEST(Privacy, ABackupRestoredAfterAnErasureStillCannotBeRead) {
  HubStack stack;
  HttpClient http = stack.client("referent-a");
  HttpResponse created = http.post(stack.url("/v1/cases"), canary_case().dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string case_id = Json::parse(created.body)["case_id"];

  // The night's backup of the store, taken with the hub stopped (files closed and complete).
  stack.stop_hub();
  fs::path backup = stack.data_dir().parent_path() / "backup";
  fs::create_directories(backup);
  for (const char* file : {"guichet.db", "guichet.db-wal"}) {
    if (fs::exists(stack.data_dir() / file)) fs::copy_file(stack.data_dir() / file, backup / file);
  }
  stack.start_hub();
  ASSERT_EQ(http.del(stack.url("/v1/cases/" + case_id)).status, 204);
  stack.stop_hub();

  // The store is restored from the backup; the key store is not (docs/privacy.md).
  for (const char* file : {"guichet.db", "guichet.db-wal", "guichet.db-shm"}) fs::remove(stack.data_dir() / file);
  for (const auto& entry : fs::directory_iterator(backup)) fs::copy_file(entry.path(), stack.data_dir() / entry.path().filename());
  EXPECT_NE(file_bytes(stack.data_dir() / "guichet.db").find(case_id), std::string::npos) << "the backup holds the case";
  std::string keys = file_bytes(stack.data_dir() / "keys.db");
  if (fs::exists(stack.data_dir() / "keys.db-wal")) keys += file_bytes(stack.data_dir() / "keys.db-wal");
  EXPECT_EQ(keys.find(case_id), std::string::npos) << "the case's key is gone for good";

  stack.start_hub();
  // The restored case is there, but its person cannot be opened: adding a need, which must read
  // it, fails cleanly instead of sending anything, and nothing personal is in the store.
  HttpResponse added = http.post(stack.url("/v1/cases/" + case_id + "/needs"),
                                 R"({"needs":[{"kind":"employment"}],"consent":{"employment":true}})");
  EXPECT_NE(added.status, 201) << added.body;
  EXPECT_LT(added.status, 500) << added.body;
  EXPECT_EQ(canaries_in(file_bytes(stack.data_dir() / "guichet.db")), std::vector<std::string>{});
  // Deliveries the backup still had queued are dropped unsent: the hub stays up, the CAF gets
  // nothing more than before the erasure.
  int caf_before = stack.received("caf")["effects"];
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(http.get(stack.url("/healthz")).status, 200);
  EXPECT_EQ(stack.received("caf")["effects"], caf_before);
}

}  // namespace
}  // namespace guichet::test
