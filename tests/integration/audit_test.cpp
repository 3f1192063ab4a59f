// `guichet audit` on a real hub's data directory: the log a case leaves verifies, holds none of
// the victim's personal values, shows per case, and a row changed in the database behind the
// hub's back is named by the next verify.
#include "guichet/test/harness.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
using namespace Poco::Data::Keywords;

Json allowance_case() {
  Json body = Json::parse(R"({
    "person": {"given_names": ["Amina"], "birth_name": "Benali", "sex": "F", "birth_date": "1990-04-12",
               "nir": "290049501812345", "phone": "+33612345678", "caf_number": "1234567",
               "address": {"line": "12 rue des Lilas", "postcode": "95000", "city": "Cergy"}},
    "situation": {"department": "95", "proof": {"kind": "complaint"}, "safe_channel": "phone"},
    "needs": [{"kind": "allowance"}],
    "consent": {"allowance": true}
  })");
  body["situation"]["proof"]["date"] = days_ago(3);
  return body;
}

bool reaches(const HttpClient& http, const HubStack& stack, const std::string& case_id, const std::string& state) {
  for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
    HttpResponse answer = http.get(stack.url("/v1/cases/" + case_id));
    if (answer.status == 200 && Json::parse(answer.body)["requests"][0]["state"] == state) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(Audit, TheHubsLogVerifiesHoldsNoPersonalDataAndATamperedEntryIsNamed) {
  HubStack stack;
  HttpClient http = stack.client("referent-a");
  HttpResponse created = http.post(stack.url("/v1/cases"), allowance_case().dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string case_id = Json::parse(created.body)["case_id"];
  ASSERT_TRUE(reaches(http, stack, case_id, "acknowledged")) << stack.hub_log();

  auto guichet = [&](const std::string& name, std::vector<std::string> args) {
    args.insert(args.end(), {"--config", stack.config_file().string()});
    ChildProcess run({Paths::binary("guichet"), args, stack.data_dir() / (name + ".log"), {}, {}, name});
    int status = run.wait_for_exit(30s);
    return std::pair<int, std::string>(status, read_file(stack.data_dir() / (name + ".log")));
  };
  // Beside the running hub: verifying only reads.
  auto [intact, said] = guichet("verify-running", {"audit", "verify"});
  EXPECT_EQ(intact, 0) << said;
  EXPECT_NE(said.find("audit chain intact: "), std::string::npos) << said;

  auto [shown, lines] = guichet("show", {"audit", "show", "--case", case_id});
  ASSERT_EQ(shown, 0) << lines;
  for (const char* action : {"\"case.create\"", "\"case.read\"", "\"dispatch.deliver\""}) {
    EXPECT_NE(lines.find(action), std::string::npos) << action << " in\n" << lines;
  }
  EXPECT_NE(lines.find("\"actor\":\"referent:referent-a\""), std::string::npos) << lines;
  EXPECT_NE(lines.find("person.birth_name"), std::string::npos) << "the fields disclosed, by name\n" << lines;

  stack.stop_hub();
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session db("SQLite", (stack.data_dir() / "guichet.db").string());
  std::vector<std::string> rows;
  db << "SELECT seq || '|' || at || '|' || actor || '|' || action || '|' || case_id || '|' || request_id || '|' || "
        "detail FROM audit ORDER BY seq",
      into(rows), now;
  ASSERT_GE(rows.size(), 3u);
  for (const auto& row : rows) {
    for (const char* personal : {"Amina", "Benali", "+33612345678", "290049501812345", "Lilas", "Cergy", "1990-04-12"}) {
      EXPECT_EQ(row.find(personal), std::string::npos) << personal << " in the audit row " << row;
    }
  }

  db << "UPDATE audit SET detail = '{\"fields\":[]}' WHERE seq = 2", now;
  auto [broken, named] = guichet("verify-tampered", {"audit", "verify"});
  EXPECT_EQ(broken, 1) << named;
  EXPECT_NE(named.find("entry 2: changed"), std::string::npos) << named;
}

}  // namespace
}  // namespace guichet::test
