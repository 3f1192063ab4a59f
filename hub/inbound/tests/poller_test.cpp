// The poller against the generic REST connector reading each open request's status from a local
// server: every open request is asked about, a page at a time, and what the agency says is applied.
#include "hub/inbound/poller.h"

#include "hub/store/sqlite/sqlite_store.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>

namespace guichet::inbound {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// GET /status/<reference> answers {"status":"done"}; counts what it answered.
class StatusAgency {
 public:
  StatusAgency() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(answered_), socket_, params);
    server_->start();
  }
  ~StatusAgency() { server_->stopAll(true); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()); }
  int answered() const { return answered_; }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(std::atomic<int>& answered) : answered_(answered) {}
    void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) override {
      ++answered_;
      response.setContentType("application/json");
      response.send() << R"({"status":"done"})";
    }

   private:
    std::atomic<int>& answered_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(std::atomic<int>& answered) : answered_(answered) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(answered_);
    }

   private:
    std::atomic<int>& answered_;
  };

  std::atomic<int> answered_{0};
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

class PollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("guichet-poller-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "departments");
    Json partner = {
        {"instance", "partner-95"},
        {"plugin", "generic_rest"},
        {"agency", "Partenaire"},
        {"needs", {"psych_support"}},
        {"settings",
         {{"endpoint_url", agency_.url() + "/demandes"},
          {"method", "POST"},
          {"auth", {{"kind", "none"}}},
          {"body", {{"nom", "person.birth_name"}}},
          {"status_url", agency_.url() + "/status/{reference}"},
          {"status_map", {{"done", "accepted"}}}}},
        {"fields", {{"person", {"birth_name"}}, {"situation", Json::array()}}}};
    std::ofstream(dir_ / "departments" / "95.json")
        << Json{{"department", "95"}, {"name", "Val-d'Oise"}, {"instances", {partner}}}.dump();
    connectors::RegistryOptions options;
    options.plugin_dir = GUICHET_PLUGIN_DIR;
    options.departments_dir = dir_ / "departments";
    registry_ = std::make_unique<connectors::Registry>(options);
    store_ = std::make_unique<store::SqliteStore>(dir_ / "guichet.db");
  }
  void TearDown() override {
    registry_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // A case with one request the partner acknowledged as REF-<n>.
  std::string acknowledged_request(int n) {
    store::NewCase c;
    c.id = "c" + std::to_string(n);
    c.owner = "ref";
    c.department = "95";
    c.at = "2026-12-01T09:00:00.000Z";
    c.person = {"{}", "{}"};
    c.requests.push_back({"r" + std::to_string(n), "psych_support", R"({"kind":"psych_support"})", "partner-95",
                          "Partenaire", "", "corr" + std::to_string(n), "key" + std::to_string(n)});
    store_->create_case(c, std::nullopt);
    for (const auto& delivery : store_->claim("w", kNow, 60000, 10)) {
      store::Transition t;
      t.entries = {{"acknowledged", c.at, "dispatch", ""}};
      t.agency_reference = "REF-" + std::to_string(n);
      store_->complete(delivery, t);
    }
    return c.id;
  }

  static constexpr int64_t kNow = 1797000000000;  // 2026-12-12, after the cases were filed
  StatusAgency agency_;
  fs::path dir_;
  std::unique_ptr<connectors::Registry> registry_;
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(PollerTest, AsksAboutEveryOpenRequestAPageAtATime) {
  ASSERT_TRUE(registry_->find("partner-95")) << "generic_rest not loaded from " << GUICHET_PLUGIN_DIR;
  std::vector<std::string> cases;
  for (int n = 1; n <= 5; ++n) cases.push_back(acknowledged_request(n));
  std::vector<int> rounds;
  Poller poller(*store_, *registry_, [] { return kNow; },
                [&](const std::string&, int applied, bool ok) { rounds.push_back(ok ? applied : -1); }, 2);

  EXPECT_EQ(poller.poll("partner-95"), 5);
  EXPECT_EQ(agency_.answered(), 5);
  for (const auto& id : cases) EXPECT_EQ(store_->find_case(id)->requests[0].state, "accepted");
  // Nothing is open any more: the agency is not asked again, and no round is counted.
  EXPECT_EQ(poller.poll("partner-95"), 0);
  EXPECT_EQ(agency_.answered(), 5);
  EXPECT_EQ(rounds, std::vector<int>{5});
}

}  // namespace
}  // namespace guichet::inbound
