// The promise of the connector author kit, kept the way an agency's IT team would meet it: install
// the SDK, build a connector outside this repository against the installed package only, run its
// tests and the conformance suite, drop the plugin into a real hub's plugin directory and watch a
// case reach the agency (a loopback HTTP server standing in for it) exactly once.
#include "guichet/test/harness.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <mutex>
#include <sstream>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Runs one command to its end, its output in `log`; fails the test with the log's tail otherwise.
void run(const TempDir& dir, const std::string& name, fs::path command, std::vector<std::string> args,
         std::chrono::seconds timeout = 240s) {
  ChildProcess process({std::move(command), std::move(args), dir / (name + ".log"), {}, {}, name});
  int status = process.wait_for_exit(timeout);
  ASSERT_EQ(status, 0) << name << " failed:\n" << process.log_tail(40);
}

// `cmake --install` of the SDK component alone into <dir>/sdk, as a department would install it.
fs::path install_sdk(const TempDir& dir) {
  fs::path prefix = dir / "sdk";
  run(dir, "install", GUICHET_CMAKE, {"--install", GUICHET_BUILD_DIR, "--prefix", prefix.string(), "--component", "sdk"});
  return prefix;
}

// Configures, builds (2 jobs, unoptimised: this is about linking against the package, not speed)
// and tests a CMake project against the installed SDK alone.
void build_and_test(const TempDir& dir, const fs::path& source, const fs::path& sdk, const fs::path& build) {
  ASSERT_NO_FATAL_FAILURE(run(dir, "configure", GUICHET_CMAKE,
      {"-S", source.string(), "-B", build.string(), "-G", GUICHET_CMAKE_GENERATOR, "-DCMAKE_BUILD_TYPE=Debug",
       "-DCMAKE_PREFIX_PATH=" + sdk.string()}));
  ASSERT_NO_FATAL_FAILURE(run(dir, "build", GUICHET_CMAKE, {"--build", build.string(), "-j2"}));
  ASSERT_NO_FATAL_FAILURE(run(dir, "ctest", GUICHET_CTEST, {"--test-dir", build.string(), "--output-on-failure"}));
}

struct Received {
  std::string method, uri, body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// The Maison des femmes' API on loopback: records each call and answers 201 with a dossier number.
class Association {
 public:
  Association() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, new Poco::Net::HTTPServerParams);
    server_->start();
  }
  ~Association() { server_->stopAll(true); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mdf"; }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(Association& association) : association_(association) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      Received call{request.getMethod(), request.getURI(), {}, {}};
      for (const auto& [name, value] : request) call.headers[Poco::toLower(name)] = value;
      Poco::StreamCopier::copyToString(request.stream(), call.body);
      {
        std::lock_guard lock(association_.mutex_);
        association_.received_.push_back(std::move(call));
      }
      std::string body = R"({"dossier":"MDF-2026-0001"})";
      response.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
      response.setContentType("application/json");
      response.setContentLength(static_cast<std::streamsize>(body.size()));
      response.send() << body;
    }

   private:
    Association& association_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(Association& association) : association_(association) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(association_);
    }

   private:
    Association& association_;
  };

  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

Json support_case() {
  Json body = Json::parse(R"({
    "person": {"given_names": ["Amina"], "birth_name": "Benali", "sex": "F", "birth_date": "1990-04-12",
               "phone": "+33612345678", "languages": ["fr", "ar"]},
    "situation": {"department": "95", "proof": {"kind": "complaint"}, "abuser_in_caf_household": false,
                  "address_confidential": false, "safe_channel": "phone"},
    "needs": [{"kind": "psych_support"}],
    "consent": {"psych_support": true}
  })");
  body["situation"]["proof"]["date"] = days_ago(3);
  return body;
}

TEST(SdkKit, AnOutOfTreeConnectorBuildsPassesConformanceAndDeliversThroughARealHub) {
  TempDir dir("guichet-sdk-kit");
  fs::path sdk = install_sdk(dir);
  ASSERT_TRUE(fs::exists(sdk / "lib/cmake/GuichetSdk/GuichetSdkConfig.cmake"));
  ASSERT_TRUE(fs::exists(sdk / "bin/guichet-conformance"));
  ASSERT_NO_FATAL_FAILURE(build_and_test(dir, Paths::source_dir() / "examples" / "out_of_tree", sdk, dir / "example"));

  // The hub, as a department would deploy the plugin: its own plugin directory, a department file
  // with one instance of it, and the instance's API key among the hub's secrets.
  Association association;
  fs::path plugins = dir / "plugins";
  fs::create_directories(plugins);
  for (const char* file : {"maison_des_femmes.so", "maison_des_femmes.json"}) {
    fs::copy_file(dir / "example" / "plugins" / file, plugins / file);
  }
  const std::vector<std::string> where = {"--config", (dir / "guichet.json").string(), "--data-dir",
                                          (dir / "data").string()};
  Json instance = {{"instance", "mdf-95"},
                   {"plugin", "maison_des_femmes"},
                   {"agency", "Maison des femmes de Cergy"},
                   {"needs", {"psych_support"}},
                   {"settings", {{"api_url", association.url()}, {"api_key_name", "mdf-95.api_key"}}}};
  write_file(dir / "departments" / "95.json",
             Json({{"department", "95"}, {"name", "Val-d'Oise"}, {"instances", {instance}}}).dump(2));
  write_file(dir / "data" / "secrets.json", R"({"mdf-95.api_key": "k-integration"})");
  write_file(dir / "guichet.json", Json({{"plugin_dir", "plugins"},
                                         {"departments_dir", "departments"},
                                         {"dispatch", {{"workers", 1}}}})
                                       .dump(2));
  // Before deploying, the department runs the conformance suite through the hub itself.
  std::vector<std::string> check = {"connectors", "--check"};
  check.insert(check.end(), where.begin(), where.end());
  ASSERT_NO_FATAL_FAILURE(run(dir, "check", Paths::binary("guichet"), check));
  std::string checked = read_file(dir / "check.log");
  EXPECT_NE(checked.find("ready  mdf-95"), std::string::npos) << checked;
  EXPECT_NE(checked.find("conformance of maison_des_femmes"), std::string::npos) << checked;
  EXPECT_NE(checked.find(" 0 failed"), std::string::npos) << checked;

  const auto port = free_port();
  const std::string hub = "http://127.0.0.1:" + std::to_string(port);
  std::vector<std::string> serve = {"serve", "--port", std::to_string(port)};
  serve.insert(serve.end(), where.begin(), where.end());
  ChildProcess guichet({Paths::binary("guichet"), serve, dir / "hub.log", {}, {}, "guichet"});
  guichet.wait_for_http(hub + "/healthz");

  std::vector<std::string> minting = {"token", "--referent", "ref-95-001", "--department", "95"};
  minting.insert(minting.end(), where.begin(), where.end());
  ChildProcess token({Paths::binary("guichet"), minting, dir / "token.log", {}, {}, "guichet token"});
  ASSERT_EQ(token.wait_for_exit(), 0) << token.log_tail();
  std::string bearer = read_file(dir / "token.log");
  HttpClient http;
  http.set_bearer(bearer.substr(0, bearer.find('\n')));

  HttpResponse filed = http.post(hub + "/v1/cases", support_case().dump(), {{"Idempotency-Key", "sdk-kit-1"}});
  ASSERT_EQ(filed.status, 201) << filed.body;
  std::string case_id = Json::parse(filed.body)["case_id"];

  // Until the hub has recorded the association's answer: then the one delivery is over.
  std::string state;
  for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
    Json view = Json::parse(http.get(hub + "/v1/cases/" + case_id).body);
    state = view["requests"][0].value("state", "");
    if (state == "acknowledged") break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(state, "acknowledged") << guichet.log_tail();
  std::this_thread::sleep_for(500ms);  // a duplicate delivery would arrive now

  std::vector<Received> calls = association.received();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "POST");
  EXPECT_EQ(calls[0].uri, "/mdf/v1/rendez-vous");
  EXPECT_EQ(calls[0].headers["x-api-key"], "k-integration");
  EXPECT_FALSE(calls[0].headers["idempotency-key"].empty());
  Json body = Json::parse(calls[0].body);
  EXPECT_EQ(body["contact"], Json({{"canal", "telephone"}, {"telephone", "+33612345678"}}));
  EXPECT_EQ(calls[0].body.find("Benali"), std::string::npos) << "the birth name is not declared: it must not leave";
  Json view = Json::parse(http.get(hub + "/v1/cases/" + case_id).body);
  EXPECT_EQ(view["requests"][0]["agency_reference"], "MDF-2026-0001") << view.dump(2);
}

TEST(SdkKit, NewConnectorSkeletonsBuildAndPassTheirTestsAndTheConformanceSuite) {
  TempDir dir("guichet-sdk-scaffold");
  fs::path sdk = install_sdk(dir);
  for (const char* channel : {"rest", "email"}) {
    std::string name = std::string("mdf_") + channel;
    ASSERT_NO_FATAL_FAILURE(run(dir, "new-" + name, Paths::binary("guichet"),
                                {"new-connector", name, "--channel", channel, "--dir", (dir / "projects" / name).string()}));
  }
  std::string said = read_file(dir / "new-mdf_rest.log");
  EXPECT_NE(said.find("wrote connector \"mdf_rest\" (rest, serves psych_support)"), std::string::npos) << said;
  // Both skeletons in one build, to pay CMake's start-up once.
  write_file(dir / "projects" / "CMakeLists.txt",
             "cmake_minimum_required(VERSION 3.25)\nproject(skeletons LANGUAGES CXX)\nenable_testing()\n"
             "add_subdirectory(mdf_rest)\nadd_subdirectory(mdf_email)\n");
  ASSERT_NO_FATAL_FAILURE(build_and_test(dir, dir / "projects", sdk, dir / "build"));
  std::string tests = read_file(dir / "ctest.log");
  for (const char* test : {"mdf_rest.test", "mdf_rest.conformance", "mdf_email.test", "mdf_email.conformance"}) {
    EXPECT_NE(tests.find(test), std::string::npos) << test << " did not run:\n" << tests;
  }
  EXPECT_NE(tests.find("100% tests passed"), std::string::npos) << tests;
}

TEST(SdkKit, NewConnectorRefusesBadNamesAndNeverOverwrites) {
  TempDir dir("guichet-sdk-scaffold");
  auto status_of = [&](const std::string& name, std::vector<std::string> args) {
    args.insert(args.begin(), "new-connector");
    ChildProcess process({Paths::binary("guichet"), args, dir / (name + ".log"), {}, {}, name});
    return process.wait_for_exit(30s);
  };
  const std::string a = (dir / "a").string();
  EXPECT_EQ(status_of("bad-name", {"Bad-Name", "--channel", "rest", "--dir", a}), 2);
  EXPECT_EQ(status_of("bad-channel", {"ok", "--channel", "fax", "--dir", a}), 2);
  EXPECT_EQ(status_of("bad-need", {"ok", "--channel", "rest", "--need", "dentist", "--dir", a}), 2);
  EXPECT_EQ(status_of("two-names", {"ok", "other", "--channel", "rest", "--dir", a}), 2);
  EXPECT_FALSE(fs::exists(dir / "a"));
  write_file(dir / "taken" / "mine.txt", "an author's work");
  EXPECT_EQ(status_of("taken", {"ok", "--channel", "rest", "--dir", (dir / "taken").string()}), 2);
  EXPECT_EQ(read_file(dir / "taken" / "mine.txt"), "an author's work");
  std::string said = read_file(dir / "taken.log");
  EXPECT_NE(said.find("exists and is not empty"), std::string::npos) << said;
}

// A plugin that breaks the rules is refused by `guichet connectors --check`, which names the check.
TEST(SdkKit, ConnectorsCheckRefusesAPluginThatFailsConformance) {
  TempDir dir("guichet-sdk-check");
  fs::create_directories(dir / "plugins");
  fs::create_directories(dir / "departments");
  for (const char* file : {"careless.so", "careless.json"}) {
    fs::copy_file(fs::path(CARELESS_PLUGIN_DIR) / file, dir / "plugins" / file);
  }
  write_file(dir / "guichet.json", Json({{"plugin_dir", "plugins"}, {"departments_dir", "departments"}}).dump());
  ChildProcess check({Paths::binary("guichet"),
                      {"connectors", "--check", "--config", (dir / "guichet.json").string(), "--data-dir",
                       (dir / "data").string()},
                      dir / "check.log", {}, {}, "check"});
  EXPECT_EQ(check.wait_for_exit(60s), 1);
  std::string said = read_file(dir / "check.log");
  EXPECT_NE(said.find("FAIL"), std::string::npos) << said;
  EXPECT_EQ(said.find(" 0 failed"), std::string::npos) << said;
}

}  // namespace
}  // namespace guichet::test
