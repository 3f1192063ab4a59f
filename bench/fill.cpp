// guichet-bench-fill: fills a hub's store with delivered cases straight through the Store API
// (not HTTP), for the measurements that need a large store: GET latency, RSS and cold start with
// 1,000,000 cases. Each case has the five requests of the bench department, delivered and
// acknowledged, so the hub started on the store has no outbox to work through.
//
//   guichet-bench-fill --config bench-hub.json [--count 1000000] [--threads 32] [--owner bench]
//
// Writers run on several threads so that the store's group commit batches them, as it does for
// concurrent intakes.
#include "hub/config/hub_config.h"
#include "hub/domain/ids.h"
#include "hub/domain/time.h"
#include "hub/store/open_store.h"
#include "hub/store/tests/claim_all.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace guichet;

const char* const kNeeds[][2] = {{"allowance", "caf-bench"},   {"employment", "ft-bench"},
                                 {"housing", "siao-bench"},    {"childcare", "creche-bench"},
                                 {"psych_support", "psy-bench"}};

// A case as the hub's intake makes it: its ids minted alike, so that the store's indexes grow as
// they do in service.
store::NewCase bench_case(const std::string& owner, int64_t now_ms) {
  store::NewCase c;
  c.id = new_case_id();
  const std::string& id = c.id;
  c.owner = owner;
  c.department = "95";
  c.at = format_time(now_ms);
  c.person = {R"({"given_names":["Bench"],"birth_name":"Fill)" + id + R"(","birth_date":"1990-04-12"})",
              R"({"department":"95","proof":{"kind":"complaint","date":"2026-11-20"}})"};
  for (const auto& [need, instance] : kNeeds) {
    c.requests.push_back({new_request_id(), need, std::string(R"({"kind":")") + need + "\"}", instance, instance, "",
                          new_correlation(), new_delivery_key()});
    c.consents.push_back({need, true, c.at, owner, "referent"});
  }
  return c;
}

int usage() {
  std::cerr << "usage: guichet-bench-fill --config FILE [--count N] [--threads N] [--owner REFERENT]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_file, owner = "bench";
  int64_t count = 1000000;
  int threads = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--config") config_file = value;
    else if (flag == "--count") count = std::stoll(value);
    else if (flag == "--threads") threads = std::stoi(value);
    else if (flag == "--owner") owner = value;
    else return usage();
  }
  if (config_file.empty() || argc % 2 == 0) return usage();

  auto config = config::load_hub_config(config_file);
  std::filesystem::create_directories(config.data_dir);
  auto store = store::open_store(config.store);
  std::atomic<int64_t> next{0}, done{0};
  auto started = std::chrono::steady_clock::now();

  auto work = [&](int worker) {
    const std::string name = "fill/" + std::to_string(worker);
    for (int64_t i = next++; i < count; i = next++) {
      int64_t now_ms = system_now_ms();
      store->create_case(bench_case(owner, now_ms), std::nullopt);
      // Deliver what this case queued, as the dispatcher would have.
      for (const auto& delivery : store::claim_all(*store, name, now_ms, 600000)) {
        store::Transition acknowledged;
        acknowledged.entries = {{"sent", format_time(now_ms), "dispatch", ""},
                                {"acknowledged", format_time(now_ms), "dispatch", ""}};
        acknowledged.agency_reference = "REF-" + delivery.request.id;
        store->complete(delivery, acknowledged);
      }
      int64_t total = ++done;
      if (total % 50000 == 0) {
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::cerr << total << " cases (" << static_cast<int64_t>(total / seconds) << "/s)\n";
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& thread : pool) thread.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << done.load() << " cases stored in " << seconds << " s\n";
  return 0;
}
