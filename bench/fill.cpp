// guichet-bench-fill: fills a hub's store with delivered cases straight through the Store API
// (not HTTP), for the measurements that need a large store: GET latency, RSS and cold start with
// 1,000,000 cases. Each case has the five requests of the bench department, delivered and
// acknowledged, with their history, disclosures and audit entries, so the hub started on the store
// has no outbox to work through.
//
//   guichet-bench-fill --config bench-hub.json [--count 1000000] [--threads 16] [--owner bench]
//                      [--ids FILE]
//
// Intakes run on several threads so that the store's group commit batches them as it does for
// concurrent référents; deliveries are claimed and settled 64 at a time, as the dispatcher does.
// --ids writes the id of one case in a hundred, for the reads that follow.
#include "hub/config/hub_config.h"
#include "hub/domain/ids.h"
#include "hub/domain/time.h"
#include "hub/store/open_store.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace guichet;

const char* const kNeeds[][2] = {{"allowance", "caf-bench"},   {"employment", "ft-bench"},
                                 {"housing", "siao-bench"},    {"childcare", "creche-bench"},
                                 {"psych_support", "psy-bench"}};

// A case as the hub's intake makes it: its ids minted alike, so that the store's indexes grow as
// they do in service, and a sealed person of the size the bench's intakes seal.
store::NewCase bench_case(const std::string& owner, int64_t now_ms) {
  store::NewCase c;
  c.id = new_case_id();
  c.owner = owner;
  c.department = "95";
  c.at = format_time(now_ms);
  c.person = {"g1." + std::string(900, 'P'), "g1." + std::string(280, 'S')};
  for (const auto& [need, instance] : kNeeds) {
    c.requests.push_back({new_request_id(), need, std::string(R"({"kind":")") + need + "\"}", instance, instance, "",
                          new_correlation(), new_delivery_key()});
    c.consents.push_back({need, true, c.at, owner, "referent"});
  }
  return c;
}

// What the dispatcher records for a delivery the agency took.
store::Settlement acknowledged(const store::Delivery& delivery, int64_t now_ms) {
  store::Transition t;
  t.entries = {{"sent", format_time(now_ms), "dispatch", ""}, {"acknowledged", format_time(now_ms), "dispatch", ""}};
  t.agency_reference = "REF-" + delivery.request.id;
  t.disclosed = {"person.given_names", "person.birth_name", "person.birth_date"};
  return store::Settlement::done(delivery, t);
}

int usage() {
  std::cerr << "usage: guichet-bench-fill --config FILE [--count N] [--threads N] [--owner REFERENT] [--ids FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_file, owner = "bench", ids_file;
  int64_t count = 1000000;
  int threads = 16;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--config") config_file = value;
    else if (flag == "--count") count = std::stoll(value);
    else if (flag == "--threads") threads = std::stoi(value);
    else if (flag == "--owner") owner = value;
    else if (flag == "--ids") ids_file = value;
    else return usage();
  }
  if (config_file.empty() || argc % 2 == 0) return usage();

  auto config = config::load_hub_config(config_file);
  std::filesystem::create_directories(config.data_dir);
  auto store = store::open_store(config.store);
  std::ofstream ids;
  if (!ids_file.empty()) ids.open(ids_file);
  std::mutex ids_mutex;
  std::atomic<int64_t> next{0}, created{0}, settled{0};
  auto started = std::chrono::steady_clock::now();
  auto report = [&](int64_t total) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << total << " cases (" << static_cast<int64_t>(total / seconds) << "/s)\n";
  };

  auto intake = [&] {
    for (int64_t i = next++; i < count; i = next++) {
      store::NewCase c = bench_case(owner, system_now_ms());
      while (true) {
        try {
          store->create_case(c, std::nullopt);
          break;
        } catch (const store::CorrelationTaken&) {
          for (auto& request : c.requests) request.correlation = new_correlation();  // as the intake does
        }
      }
      if (ids.is_open() && i % 100 == 0) {
        std::lock_guard lock(ids_mutex);
        ids << c.id << '\n';
      }
      if (int64_t total = ++created; total % 50000 == 0) report(total);
    }
  };
  auto deliver = [&](int worker) {
    const std::string name = "fill/" + std::to_string(worker);
    while (settled < count * 5) {
      int64_t now_ms = system_now_ms();
      auto batch = store->claim(name, now_ms, 600000, 64);
      if (batch.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      std::vector<store::Settlement> settlements;
      for (const auto& delivery : batch) settlements.push_back(acknowledged(delivery, now_ms));
      store->settle(settlements);
      settled += static_cast<int64_t>(batch.size());
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(intake);
  for (int t = 0; t < 4; ++t) pool.emplace_back(deliver, t);
  for (auto& thread : pool) thread.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << created.load() << " cases stored and delivered in " << seconds << " s\n";
  return 0;
}
