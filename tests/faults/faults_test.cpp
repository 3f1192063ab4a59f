// The fault suite: the hub's promises checked while things break. A 201 is never lost, an agency
// sees each request once, one bad connector harms no other. Each test prints one "FAULT ..." line
// of figures; scripts/faults runs the long version (GUICHET_FAULT_KILLS, GUICHET_FAULT_CASES,
// GUICHET_FAULT_OUTAGE_S).
#include "guichet/test/harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/mount.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : fallback;
}

// A valid case asking for `needs` (need kinds without options).
Json case_for(const std::vector<std::string>& needs) {
  Json body = Json::parse(R"({
    "person": {
      "given_names": ["Test"], "birth_name": "Fautes", "usage_name": null, "sex": "F",
      "birth_date": "1990-04-12", "nir": "290049501812345",
      "phone": "+33600000000", "email": "test@example.org",
      "address": {"line": "1 rue du Test", "postcode": "95000", "city": "Cergy"},
      "contact_address": {"line": "2 place du Test", "postcode": "95300", "city": "Pontoise"},
      "caf_number": "1234567", "france_travail_id": null, "children": [], "languages": ["fr"]
    },
    "situation": {"department": "95", "proof": {"kind": "complaint"}, "abuser_in_caf_household": false,
                  "address_confidential": true, "safe_channel": "phone"},
    "needs": [], "consent": {}
  })");
  body["situation"]["proof"]["date"] = days_ago(3);
  for (const auto& need : needs) {
    Json item{{"kind", need}};
    if (need == "housing") item["urgency"] = "this_week";
    body["needs"].push_back(item);
    body["consent"][need] = true;
  }
  return body;
}

// POSTs until the hub answers 201 with the same key: whatever happened to earlier tries (hub
// killed before or after its commit), the answer is then the one stored case.
std::string file_case(const HttpClient& http, const HubStack& stack, const Json& body, const std::string& key,
                      std::chrono::seconds patience = 60s) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      auto answer = http.post(stack.url("/v1/cases"), body.dump(),
                              {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
      if (answer.status == 201 || answer.status == 200) return Json::parse(answer.body)["case_id"];
    } catch (const std::exception&) {
      // The hub is down: try again, as a référent's client would.
    }
    std::this_thread::sleep_for(50ms);
  }
  throw std::runtime_error("no 201 for key " + key);
}

Json case_view(const HttpClient& http, const HubStack& stack, const std::string& case_id) {
  for (int i = 0; i < 100; ++i) {
    try {
      auto answer = http.get(stack.url("/v1/cases/" + case_id));
      if (answer.status == 200) return Json::parse(answer.body);
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("case " + case_id + " unreadable");
}

const Json* request_for(const Json& view, const std::string& need) {
  for (const auto& r : view["requests"]) {
    if (r["need"] == need) return &r;
  }
  return nullptr;
}

// Waits until every case's request for `need` satisfies `done`; returns how many do.
int wait_for_requests(const HttpClient& http, const HubStack& stack, const std::vector<std::string>& cases,
                      const std::string& need, const std::function<bool(const Json&)>& done,
                      std::chrono::seconds timeout = 60s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int count = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    count = 0;
    for (const auto& id : cases) {
      Json view = case_view(http, stack, id);
      const Json* r = request_for(view, need);
      if (r && done(*r)) ++count;
    }
    if (count == static_cast<int>(cases.size())) break;
    std::this_thread::sleep_for(300ms);
  }
  return count;
}

// Waits until one case's request for `need` satisfies `done`; returns how many cases it took.
int wait_for_any(const HttpClient& http, const HubStack& stack, const std::vector<std::string>& cases,
                 const std::string& need, const std::function<bool(const Json&)>& done,
                 std::chrono::seconds timeout = 60s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& id : cases) {
      Json view = case_view(http, stack, id);
      const Json* r = request_for(view, need);
      if (r && done(*r)) return 1;
    }
    std::this_thread::sleep_for(300ms);
  }
  return 0;
}

bool left_queue(const Json& r) { return r["state"] != "queued"; }

Json connector(const HttpClient& http, const HubStack& stack, const std::string& instance) {
  Json all = Json::parse(http.get(stack.url("/v1/connectors")).body);
  for (const auto& c : all["connectors"]) {
    if (c["instance"] == instance) return c;
  }
  return Json::object();
}

// The build's plugins plus `extra` fault plugins, copied into a directory of the test's own.
fs::path plugin_dir_with(const TempDir& dir, const std::vector<std::string>& extra) {
  fs::path plugins = dir / "plugins";
  fs::create_directories(plugins);
  for (const auto& entry : fs::directory_iterator(Paths::plugin_dir())) {
    std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".so" && ext != ".json")) continue;
    fs::copy_file(entry.path(), plugins / entry.path().filename(), fs::copy_options::overwrite_existing);
  }
  for (const auto& id : extra) {
    for (const char* ext : {".so", ".json"}) {
      fs::copy_file(fs::path(GUICHET_FAULT_PLUGIN_DIR) / (id + ext), plugins / (id + ext),
                    fs::copy_options::overwrite_existing);
    }
  }
  return plugins;
}

// Points the instance serving `need` at `plugin`, with `isolation` limits.
std::function<void(Json&)> replace_plugin(std::map<std::string, std::string> plugin_by_need, Json isolation) {
  return [plugin_by_need, isolation](Json& department) {
    for (auto& instance : department["instances"]) {
      auto it = plugin_by_need.find(instance["needs"][0]);
      if (it == plugin_by_need.end()) continue;
      instance["plugin"] = it->second;
      instance["settings"] = Json::object();
      instance.erase("fields");
      if (!isolation.is_null()) instance["isolation"] = isolation;
    }
  };
}

// Distinct idempotency keys, and deliveries beyond the first per key, in an agency's ledger.
std::pair<int, int> ledger_figures(const Json& received) {
  int keys = 0, duplicates = 0;
  for (const auto& entry : received["received"]) {
    ++keys;
    duplicates += entry.value("count", 1) - 1;
  }
  return {keys, duplicates};
}

TEST(Faults, HubKilledUnderLoadLosesNothingAndAgenciesSeeEachRequestOnce) {
  const int kills = env_int("GUICHET_FAULT_KILLS", 5);
  const int cases = env_int("GUICHET_FAULT_CASES", 20);
  HubStack stack;
  HttpClient http = stack.client("referent-kill");
  std::vector<std::string> ids(cases);
  std::atomic<bool> filing{true};
  std::thread client([&] {
    for (int i = 0; i < cases; ++i) {
      ids[i] = file_case(http, stack, case_for({"allowance", "employment"}), "kill9-" + std::to_string(i));
    }
    filing = false;
  });
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(50, 1500);
  auto started = std::chrono::steady_clock::now();
  int done_kills = 0;
  for (; done_kills < kills; ++done_kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    stack.kill_hub();
    stack.start_hub();
  }
  client.join();

  int delivered_caf = wait_for_requests(http, stack, ids, "allowance", left_queue, 120s);
  int delivered_ft = wait_for_requests(http, stack, ids, "employment", left_queue, 60s);
  // The same key again: the same case, never a second one.
  int replayed_same = 0;
  for (int i = 0; i < cases; ++i) {
    if (file_case(http, stack, case_for({"allowance", "employment"}), "kill9-" + std::to_string(i)) == ids[i]) {
      ++replayed_same;
    }
  }
  auto [caf_keys, caf_dups] = ledger_figures(stack.received("caf"));
  auto [ft_keys, ft_dups] = ledger_figures(stack.received("france_travail"));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "FAULT kill9 kills=" << done_kills << " cases=" << cases << " acknowledged=" << cases
            << " lost=" << (2 * cases - delivered_caf - delivered_ft) << " replayed_same=" << replayed_same
            << " caf_effects=" << caf_keys << " caf_duplicate_deliveries=" << caf_dups << " ft_effects=" << ft_keys
            << " ft_duplicate_deliveries=" << ft_dups << " seconds=" << seconds << std::endl;
  EXPECT_EQ(delivered_caf, cases);
  EXPECT_EQ(delivered_ft, cases);
  EXPECT_EQ(replayed_same, cases);
  EXPECT_EQ(caf_keys, cases);  // one effect per request: the ledger dedups by idempotency key
  EXPECT_EQ(ft_keys, cases);
  EXPECT_LE(caf_dups, done_kills);
  EXPECT_LE(ft_dups, done_kills);
}

TEST(Faults, ConnectorSegfaultingEveryFifthCallIsQuarantinedAndHarmsNoOther) {
  TempDir dir("guichet-faults");
  HubStackOptions options;
  options.plugin_dir = plugin_dir_with(dir, {"fault_crashy"});
  options.edit_department = replace_plugin({{"psych_support", "fault_crashy"}}, nullptr);
  HubStack stack(options);
  HttpClient http = stack.client("referent-crash");
  const int cases = 20;
  std::vector<std::string> ids;
  for (int i = 0; i < cases; ++i) {
    ids.push_back(file_case(http, stack, case_for({"allowance", "psych_support"}), "crash-" + std::to_string(i)));
  }
  int caf_ok = wait_for_requests(http, stack, ids, "allowance", left_queue);
  Json crashy = Json::object();
  for (int i = 0; i < 100 && crashy.value("state", "") != "quarantined"; ++i) {
    std::this_thread::sleep_for(200ms);
    crashy = connector(http, stack, "france-victimes-95");
  }
  int sent = 0, waiting = 0, failed = 0;
  for (const auto& id : ids) {
    Json view = case_view(http, stack, id);
    const Json* r = request_for(view, "psych_support");
    if ((*r)["state"] == "sent") ++sent;
    else if ((*r)["state"] == "queued" && (*r)["retrying"] == true) ++waiting;
    else if ((*r)["state"] == "failed") ++failed;
  }
  auto [caf_keys, caf_dups] = ledger_figures(stack.received("caf"));
  std::cout << "FAULT segfault_every_5th cases=" << cases << " caf_delivered=" << caf_ok << " caf_effects=" << caf_keys
            << " crashy_sent=" << sent << " crashy_waiting=" << waiting << " crashy_failed=" << failed
            << " crashy_state=" << crashy.value("state", "?") << std::endl;
  EXPECT_EQ(caf_ok, cases);
  EXPECT_EQ(caf_keys, cases);
  EXPECT_EQ(crashy.value("state", ""), "quarantined") << http.get(stack.url("/v1/connectors")).body << stack.hub_log();
  EXPECT_EQ(failed, 0);  // a crash is not the request's fault: it waits, nothing is lost
  EXPECT_EQ(sent + waiting, cases);
  EXPECT_EQ(http.get(stack.url("/healthz")).status, 200);
}

TEST(Faults, HangingAndMemoryEatingConnectorsAreKilledAndTheirPoisonSetAside) {
  TempDir dir("guichet-faults");
  HubStackOptions options;
  options.plugin_dir = plugin_dir_with(dir, {"fault_loop", "fault_hog"});
  options.edit_department = replace_plugin({{"psych_support", "fault_loop"}, {"housing", "fault_hog"}},
                                           Json{{"deadline_ms", 1000}, {"memory_mb", 256}});
  HubStack stack(options);
  HttpClient http = stack.client("referent-hang");
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    ids.push_back(
        file_case(http, stack, case_for({"allowance", "housing", "psych_support"}), "hang-" + std::to_string(i)));
  }
  auto poisoned = [](const Json& r) {
    return r["state"] == "failed" && r["message"].is_string() &&
           r["message"].get<std::string>().find("plante sur cette demande") != std::string::npos;
  };
  int caf_ok = wait_for_requests(http, stack, ids, "allowance", left_queue);
  int loop_poisoned = wait_for_any(http, stack, ids, "psych_support", poisoned);
  int hog_poisoned = wait_for_any(http, stack, ids, "housing", poisoned);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "FAULT hang_and_hog caf_delivered=" << caf_ok << " loop_poison_failed=" << loop_poisoned
            << " hog_poison_failed=" << hog_poisoned << " seconds=" << seconds << std::endl;
  EXPECT_EQ(caf_ok, 2);
  EXPECT_EQ(loop_poisoned, 1);
  EXPECT_EQ(hog_poisoned, 1);
  EXPECT_EQ(http.get(stack.url("/healthz")).status, 200);
  EXPECT_NE(stack.hub_log().find("killed by SIGKILL"), std::string::npos);
}

TEST(Faults, BrokenPluginFilesAreRefusedAndTheOthersWork) {
  TempDir dir("guichet-faults");
  fs::path plugins = plugin_dir_with(dir, {"fault_wrong_abi", "fault_crashy"});
  // Truncated: a copy cut short, as an interrupted install leaves it.
  fs::copy_file(plugins / "fault_crashy.so", plugins / "fault_truncated.so");
  fs::resize_file(plugins / "fault_truncated.so", fs::file_size(plugins / "fault_crashy.so") / 2);
  Json manifest = Json::parse(std::ifstream(plugins / "fault_crashy.json"));
  manifest["id"] = "fault_truncated";
  std::ofstream(plugins / "fault_truncated.json") << manifest.dump();
  // A manifest that is not JSON.
  fs::copy_file(plugins / "fault_crashy.so", plugins / "fault_bad_manifest.so");
  std::ofstream(plugins / "fault_bad_manifest.json") << "{\"id\": \"fault_bad_manifest\", ";

  HubStackOptions options;
  options.plugin_dir = plugins;
  HubStack stack(options);
  HttpClient http = stack.client("referent-broken");
  Json report = Json::parse(http.get(stack.url("/v1/connectors")).body);
  std::map<std::string, std::string> state;
  for (const auto& p : report["plugins"]) state[p["id"]] = p["state"];
  std::string id = file_case(http, stack, case_for({"allowance"}), "broken-0");
  int caf_ok = wait_for_requests(http, stack, {id}, "allowance", left_queue);
  std::cout << "FAULT broken_plugins truncated=" << state["fault_truncated"] << " wrong_abi=" << state["fault_wrong_abi"]
            << " bad_manifest=" << state["fault_bad_manifest"] << " caf=" << state["caf"]
            << " caf_delivered=" << caf_ok << std::endl;
  EXPECT_EQ(state["fault_truncated"], "rejected");
  EXPECT_EQ(state["fault_wrong_abi"], "rejected");
  EXPECT_EQ(state["fault_bad_manifest"], "rejected");
  EXPECT_EQ(state["caf"], "loaded");
  EXPECT_EQ(caf_ok, 1);
}

TEST(Faults, PluginsCrashingAsTheyLoadAreRefusedAndTheHubServesTheOthers) {
  TempDir dir("guichet-faults");
  HubStackOptions options;
  options.plugin_dir = plugin_dir_with(dir, {"fault_crash_on_load", "fault_crash_in_entry"});
  // A crash in a static initialiser behind an isolated instance, and one in the entry function
  // behind a trusted instance, whose plugin the hub runs in its own process once accepted.
  options.edit_department = [](Json& department) {
    replace_plugin({{"psych_support", "fault_crash_on_load"}, {"housing", "fault_crash_in_entry"}}, nullptr)(department);
    for (auto& instance : department["instances"]) {
      if (instance["plugin"] == "fault_crash_in_entry") instance["trusted"] = true;
    }
  };
  HubStack stack(options);
  stack.stop_hub();
  auto started = std::chrono::steady_clock::now();
  stack.start_hub();
  auto start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

  HttpClient http = stack.client("referent-load-crash");
  Json report = Json::parse(http.get(stack.url("/v1/connectors")).body);
  std::map<std::string, Json> plugins;
  for (const auto& p : report["plugins"]) plugins[p["id"]] = p;
  auto text = [](const Json& object, const char* key) {
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : std::string();
  };
  const int cases = 3;
  std::vector<std::string> ids;
  for (int i = 0; i < cases; ++i) {
    ids.push_back(file_case(http, stack, case_for({"allowance", "employment"}), "load-crash-" + std::to_string(i)));
  }
  int caf_ok = wait_for_requests(http, stack, ids, "allowance", left_queue);
  int ft_ok = wait_for_requests(http, stack, ids, "employment", left_queue);
  Json on_load = connector(http, stack, "france-victimes-95"), in_entry = connector(http, stack, "siao-95");
  int loaded = 0;
  for (const auto& [id, p] : plugins) loaded += p["state"] == "loaded";
  std::cout << "FAULT plugin_crash_on_load hub_start_ms=" << start_ms.count() << " plugins_loaded=" << loaded
            << " initialiser_plugin=" << plugins["fault_crash_on_load"].value("state", "?")
            << " entry_plugin=" << plugins["fault_crash_in_entry"].value("state", "?")
            << " isolated_instance=" << on_load.value("state", "?") << " trusted_instance=" << in_entry.value("state", "?")
            << " caf_delivered=" << caf_ok << " ft_delivered=" << ft_ok << " of=" << cases << std::endl;
  EXPECT_EQ(http.get(stack.url("/healthz")).status, 200);
  for (const char* id : {"fault_crash_on_load", "fault_crash_in_entry"}) {
    EXPECT_EQ(plugins[id].value("state", ""), "rejected") << report.dump(2);
    EXPECT_NE(text(plugins[id], "reason").find("SIGSEGV"), std::string::npos) << report.dump(2);
  }
  for (const Json& instance : {on_load, in_entry}) {
    EXPECT_EQ(instance.value("state", ""), "rejected") << report.dump(2);
    EXPECT_NE(text(instance, "last_error").find("SIGSEGV"), std::string::npos) << report.dump(2);
  }
  EXPECT_EQ(plugins["caf"].value("state", ""), "loaded");
  EXPECT_EQ(caf_ok, cases);
  EXPECT_EQ(ft_ok, cases);
}

TEST(Faults, AgencyAnswering5xxIsRiddenOutWithOneEffectPerRequest) {
  HubStack stack;
  HttpClient http = stack.client("referent-outage");
  const int outage_s = env_int("GUICHET_FAULT_OUTAGE_S", 4), cases = 5;
  ASSERT_EQ(HttpClient().post(stack.agency_url("caf", "/_faults"), Json{{"fail_5xx_for_s", outage_s}}.dump()).status,
            200);
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> ids;
  for (int i = 0; i < cases; ++i) ids.push_back(file_case(http, stack, case_for({"allowance"}), "outage-" + std::to_string(i)));
  // The breaker opens during the outage, and operators see it in the connector listing and in
  // /metrics (read one after the other, so the loop waits until both have caught up).
  const std::string open_line = "guichet_breaker_open{instance=\"caf-95\"} 1";
  std::string breaker, metrics;
  for (auto deadline = started + 15s; std::chrono::steady_clock::now() < deadline;) {
    Json listing = Json::parse(http.get(stack.url("/v1/connectors")).body);
    for (const auto& c : listing["connectors"]) {
      if (c["instance"] == "caf-95") breaker = c.value("breaker", "");
    }
    metrics = http.get(stack.url("/metrics")).body;
    if (breaker == "open" && metrics.find(open_line) != std::string::npos) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(breaker, "open");
  EXPECT_NE(metrics.find(open_line), std::string::npos) << metrics;
  int caf_ok = wait_for_requests(http, stack, ids, "allowance", left_queue, std::chrono::seconds(outage_s) + 60s);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto [caf_keys, caf_dups] = ledger_figures(stack.received("caf"));
  std::cout << "FAULT agency_5xx outage_s=" << outage_s << " cases=" << cases << " delivered=" << caf_ok
            << " caf_effects=" << caf_keys << " seconds_to_drain=" << seconds << std::endl;
  EXPECT_EQ(caf_ok, cases);
  EXPECT_EQ(caf_keys, cases);
  EXPECT_GE(seconds, outage_s - 1);
}

TEST(Faults, AnAgencyThatActsButNeverAnswersIsRetriedAndTakesTheRequestOnce) {
  HubStackOptions options;
  options.edit_department = [](Json& department) {
    for (auto& instance : department["instances"]) {
      if (instance["instance"] != "caf-95") continue;
      instance["settings"]["timeout_ms"] = 1000;
      // Retries a few seconds apart: the hang is lifted before the circuit breaker would open.
      instance["retry"] = {{"initial_ms", 3000}, {"multiplier", 1}, {"cap_ms", 3000}, {"max_attempts", 0}};
    }
  };
  HubStack stack(options);
  HttpClient http = stack.client("referent-hang");
  // A first case while the CAF answers, so the connector holds a token; then the CAF hangs: it
  // handles each call and never sends the answer, as when a response is lost on the way back.
  std::vector<std::string> first{file_case(http, stack, case_for({"allowance"}), "hang-first")};
  ASSERT_EQ(wait_for_requests(http, stack, first, "allowance", left_queue, 20s), 1);
  ASSERT_EQ(HttpClient().post(stack.agency_url("caf", "/_faults"), R"({"hang_rate":1})").status, 200);
  std::vector<std::string> hung{file_case(http, stack, case_for({"allowance"}), "hang-1")};
  int retrying = wait_for_requests(
      http, stack, hung, "allowance", [](const Json& r) { return r["state"] == "queued" && r["retrying"] == true; }, 20s);
  ASSERT_EQ(HttpClient().post(stack.agency_url("caf", "/_faults"), R"({"hang_rate":0})").status, 200);
  int delivered = wait_for_requests(http, stack, hung, "allowance", left_queue, 30s);
  auto [caf_keys, caf_dups] = ledger_figures(stack.received("caf"));
  std::cout << "FAULT agency_hang retrying_while_hung=" << retrying << " delivered_after=" << delivered
            << " caf_effects=" << caf_keys << " caf_duplicate_deliveries=" << caf_dups << std::endl;
  EXPECT_EQ(retrying, 1);
  EXPECT_EQ(delivered, 1);
  EXPECT_EQ(caf_keys, 2) << "the hung call took effect once, whatever the retries";
  EXPECT_GE(caf_dups, 1) << "the retry reached the CAF and was recognised by its key";
}

TEST(Faults, AnAgencyTricklingItsAnswersHoldsUpNoOtherAgencyAndEachRequestTakesEffectOnce) {
  HubStackOptions options;
  options.edit_department = [](Json& department) {
    for (auto& instance : department["instances"]) {
      if (instance["instance"] == "caf-95") instance["settings"]["timeout_ms"] = 1000;
    }
  };
  HubStack stack(options);
  HttpClient http = stack.client("referent-trickle");
  // Every CAF answer now comes a byte every 500 ms: each read is quick, no answer ends in time.
  ASSERT_EQ(HttpClient().post(stack.agency_url("caf", "/_faults"), R"({"trickle_rate":1})").status, 200);
  const int cases = 4;
  std::vector<std::string> ids;
  for (int i = 0; i < cases; ++i) {
    ids.push_back(file_case(http, stack, case_for({"allowance", "employment"}), "trickle-" + std::to_string(i)));
  }
  // France Travail is served meanwhile: the CAF's calls are cut at their deadline and hold up
  // only the CAF's own requests.
  auto started = std::chrono::steady_clock::now();
  int ft_sent = wait_for_requests(http, stack, ids, "employment", left_queue, 20s);
  double ft_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int caf_queued = 0, caf_retrying = 0;
  for (const auto& id : ids) {
    Json view = case_view(http, stack, id);
    const Json* caf = request_for(view, "allowance");
    caf_queued += (*caf)["state"] == "queued" ? 1 : 0;
    caf_retrying += (*caf)["retrying"] == true ? 1 : 0;
  }

  ASSERT_EQ(HttpClient().post(stack.agency_url("caf", "/_faults"), R"({"trickle_rate":0})").status, 200);
  int caf_delivered = wait_for_requests(http, stack, ids, "allowance", left_queue, 90s);
  auto [caf_keys, caf_dups] = ledger_figures(stack.received("caf"));
  std::string log = stack.hub_log();
  int cut = 0;
  for (size_t at = log.find("not complete in time"); at != std::string::npos; at = log.find("not complete in time", at + 1)) ++cut;
  std::cout << "FAULT agency_trickle cases=" << cases << " ft_sent=" << ft_sent << " ft_s=" << ft_s
            << " caf_queued_while_trickling=" << caf_queued << " caf_calls_cut=" << cut
            << " caf_delivered_after=" << caf_delivered << " caf_effects=" << caf_keys
            << " caf_duplicate_deliveries=" << caf_dups << std::endl;
  EXPECT_EQ(ft_sent, cases);
  EXPECT_EQ(caf_queued, cases) << "no CAF answer could complete";
  EXPECT_GE(caf_retrying, 1);
  EXPECT_GE(cut, 1) << "the hub cut a trickled answer at its deadline";
  EXPECT_EQ(caf_delivered, cases);
  EXPECT_EQ(caf_keys, cases) << "a cut answer took effect at the agency: its retry must not add another";
}

TEST(Faults, MailServerRefusalsTemporaryAreRetriedAndPermanentFailOnceWithTheReason) {
  // scripts/mailserver greylists greylist.test recipients once (451) and refuses refused.test
  // ones (550), as real relays do.
  HubStackOptions options;
  options.edit_department = [](Json& department) {
    for (auto& instance : department["instances"]) {
      if (instance["instance"] == "siao-95") instance["settings"]["to"] = "siao95@greylist.test";
      if (instance["instance"] == "creche-cergy") instance["settings"]["to"] = "petite-enfance@refused.test";
    }
  };
  HubStack stack(options);
  HttpClient http = stack.client("referent-smtp");
  Json body = case_for({"housing", "childcare"});
  body["person"]["children"] = Json::array({{{"given_name", "Enfant"}, {"birth_date", "2022-05-01"}}});
  for (auto& need : body["needs"]) {
    if (need["kind"] == "childcare") need["children"] = Json::array({0});
  }
  std::string case_id = file_case(http, stack, body, "smtp-refusals");
  int housing_sent = wait_for_requests(http, stack, {case_id}, "housing", left_queue, 30s);
  int childcare_done = wait_for_requests(http, stack, {case_id}, "childcare", left_queue, 30s);
  Json view = case_view(http, stack, case_id);
  const Json& housing = *request_for(view, "housing");
  const Json& childcare = *request_for(view, "childcare");
  std::string log = stack.hub_log();
  auto attempts = [&](const Json& request, const std::string& instance) {
    int count = 0;
    std::string line = "request " + request["request_id"].get<std::string>() + " deliver via " + instance + " attempt ";
    for (size_t at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) ++count;
    return count;
  };
  int siao_mails = static_cast<int>(stack.maildir().messages("siao95@greylist.test").size());
  int greylisted_attempts = attempts(housing, "siao-95"), refused_attempts = attempts(childcare, "creche-cergy");
  std::cout << "FAULT smtp_refusals greylisted_attempts=" << greylisted_attempts << " greylisted_sent=" << housing_sent
            << " siao_mails=" << siao_mails << " refused_attempts=" << refused_attempts
            << " refused_failed=" << (childcare["state"] == "failed") << std::endl;

  EXPECT_EQ(housing["state"], "sent") << housing.dump(2);
  EXPECT_EQ(greylisted_attempts, 2) << "451 then accepted";
  EXPECT_EQ(siao_mails, 1) << "delivered once, after the greylisting";
  EXPECT_EQ(childcare_done, 1);
  EXPECT_EQ(childcare["state"], "failed") << childcare.dump(2);
  EXPECT_NE(childcare["message"].get<std::string>().find("SMTP 550 5.1.1"), std::string::npos) << childcare.dump(2);
  EXPECT_EQ(refused_attempts, 1) << "a permanent refusal is not retried";
  // The refused address is the instance's to fix: it is degraded, saying why.
  Json creche = connector(http, stack, "creche-cergy");
  EXPECT_EQ(creche["state"], "degraded");
  EXPECT_NE(creche["last_error"].get<std::string>().find("SMTP 550 5.1.1"), std::string::npos) << creche.dump(2);
}

// A tmpfs of a given size mounted on a directory, to run out of space for real (ENOSPC) and then
// get it back; unmounted when destroyed. Mounting needs the right to (root, as in CI).
class SmallDisk {
 public:
  SmallDisk(const fs::path& dir, size_t bytes) : dir_(dir) {
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options(bytes).c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  // As an operator frees space: the same filesystem, larger, with everything on it in place.
  bool grow(size_t bytes) { return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, options(bytes).c_str()) == 0; }

 private:
  static std::string options(size_t bytes) { return "size=" + std::to_string(bytes) + ",mode=0700"; }

  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

size_t bytes_under(const fs::path& dir) {
  size_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

TEST(Faults, ADiskFullAnswers503KeepsEveryAcknowledgedCaseWholeAndResumesWhenSpaceIsBack) {
  HubStack stack;
  // The hub's data directory moves onto a small filesystem of its own.
  stack.stop_hub();
  TempDir saved("guichet-disk");
  fs::copy(stack.data_dir(), saved.path() / "data", fs::copy_options::recursive);
  size_t used = bytes_under(saved.path() / "data");
  for (const auto& entry : fs::directory_iterator(stack.data_dir())) fs::remove_all(entry.path());
  SmallDisk disk(stack.data_dir(), used + 3 * 1024 * 1024);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a small filesystem here (" << disk.error() << ")";
  fs::copy(saved.path() / "data", stack.data_dir(), fs::copy_options::recursive);
  stack.start_hub();
  HttpClient http = stack.client("referent-disk");

  // Cases until the disk is full: each answer is a 201 or a clean 503, nothing else.
  std::vector<std::string> acknowledged, refused_keys;
  int other = 0;
  std::string odd;
  for (int i = 0; i < 2000 && refused_keys.size() < 5; ++i) {
    std::string key = "disk-" + std::to_string(i);
    HttpResponse answer = http.post(stack.url("/v1/cases"), case_for({"allowance"}).dump(),
                                    {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
    if (answer.status == 201) {
      acknowledged.push_back(Json::parse(answer.body)["case_id"]);
    } else if (answer.status == 503 && Json::parse(answer.body)["error"]["code"] == "unavailable") {
      refused_keys.push_back(key);
    } else {
      ++other;
      odd = std::to_string(answer.status) + " " + answer.body;
    }
  }
  ASSERT_FALSE(refused_keys.empty()) << "the disk never filled";
  EXPECT_EQ(other, 0) << odd;

  // Space comes back: the same hub, not restarted, takes the refused cases as new ones.
  ASSERT_TRUE(disk.grow(64 * 1024 * 1024));
  auto back = std::chrono::steady_clock::now();
  int retaken = 0;
  for (const auto& key : refused_keys) {
    for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;) {
      HttpResponse answer = http.post(stack.url("/v1/cases"), case_for({"allowance"}).dump(),
                                      {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
      if (answer.status == 201) {
        acknowledged.push_back(Json::parse(answer.body)["case_id"]);
        ++retaken;
        break;
      }
      std::this_thread::sleep_for(200ms);
    }
  }
  double resumed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - back).count();

  // Every acknowledged case is whole and reaches the CAF exactly once.
  int whole = 0;
  for (const auto& id : acknowledged) {
    Json view = case_view(http, stack, id);
    if (view["requests"].size() == 1 && request_for(view, "allowance")) ++whole;
  }
  int delivered = wait_for_requests(http, stack, acknowledged, "allowance", left_queue, 60s);
  auto [caf_keys, caf_dups] = ledger_figures(stack.received("caf"));
  // And the database passes its integrity check at the next start (read in the background).
  auto checks_passed = [&] {
    std::string log = stack.hub_log();
    int count = 0;
    for (size_t at = log.find("database integrity check: ok"); at != std::string::npos;
         at = log.find("database integrity check: ok", at + 1)) {
      ++count;
    }
    return count;
  };
  stack.stop_hub();
  int passed_before = checks_passed();
  stack.start_hub();
  bool readable = case_view(http, stack, acknowledged.front())["case_id"] == acknowledged.front();
  bool sound = false;
  for (auto until = std::chrono::steady_clock::now() + 10s; !sound && std::chrono::steady_clock::now() < until;) {
    sound = checks_passed() > passed_before;
    if (!sound) std::this_thread::sleep_for(100ms);
  }
  stack.stop_hub();

  std::cout << "FAULT disk_full acknowledged_before_full=" << acknowledged.size() - retaken
            << " refused_503=" << refused_keys.size() << " other_answers=" << other << " retaken_after=" << retaken
            << " resumed_s=" << resumed_s << " whole=" << whole << " delivered=" << delivered
            << " caf_effects=" << caf_keys << " restart_ok=" << readable << " integrity_ok=" << sound << std::endl;
  EXPECT_EQ(retaken, static_cast<int>(refused_keys.size()));
  EXPECT_EQ(whole, static_cast<int>(acknowledged.size()));
  EXPECT_EQ(delivered, static_cast<int>(acknowledged.size()));
  EXPECT_EQ(caf_keys, static_cast<int>(acknowledged.size()));
  EXPECT_TRUE(readable);
  EXPECT_TRUE(sound) << stack.hub_log();
}

}  // namespace
}  // namespace guichet::test
