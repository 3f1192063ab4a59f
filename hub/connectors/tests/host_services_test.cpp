#include "hub/connectors/host_services.h"
#include "hub/connectors/tests/test_support.h"

#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace guichet::connectors {
namespace {

using testing::TestServer;

struct Answer {
  int status;
  Json json;
  std::string text;
};

// Host services for one instance whose settings declare `base_url`.
class Host {
 public:
  explicit Host(const std::string& base_url, HttpClientOptions http = {}, AgencyHttpObserver observer = {})
      : secrets_(std::make_shared<Secrets>()),
        services_("test-instance", Json{{"agency", {{"base_url", base_url}}}}, dependencies(http, std::move(observer))) {}

  Answer http(const Json& request) const {
    std::string text = request.dump();
    guichet_buffer out{nullptr, 0};
    int status = table().http(table().ctx, text.data(), text.size(), &out);
    return take(status, out);
  }

  Answer secret(const std::string& name) const {
    guichet_buffer out{nullptr, 0};
    int status = table().secret(table().ctx, name.data(), name.size(), &out);
    return take(status, out);
  }

  const guichet_host_v1& table() const { return *services_.table(); }
  const HostServices& services() const { return services_; }

 private:
  HostDependencies dependencies(HttpClientOptions http, AgencyHttpObserver observer) {
    HostDependencies result;
    result.on_agency_http = std::move(observer);
    result.http = std::make_shared<HttpClient>(http);
    result.mail = std::make_shared<MailSender>(MailSettings{}, [](const std::string&) { return std::nullopt; });
    result.secrets = secrets_;
    result.now_ms = [] { return int64_t{42}; };
    return result;
  }

  Answer take(int status, guichet_buffer& out) const {
    std::string text(out.data ? out.data : "", out.size);
    table().free_buffer(table().ctx, &out);
    return {status, Json::parse(text, nullptr, false), text};
  }

  std::shared_ptr<Secrets> secrets_;
  HostServices services_;
};

TEST(HostHttp, RoundTripsStatusHeadersAndBody) {
  TestServer server;
  Host host(server.url() + "/api");
  Answer answer = host.http({{"method", "POST"}, {"url", server.url() + "/echo"},
                             {"headers", {{"X-Test", "yes"}, {"Content-Type", "application/json"}}},
                             {"body", R"({"hello":"monde"})"}});
  ASSERT_EQ(answer.status, GUICHET_OK) << answer.text;
  EXPECT_EQ(answer.json["status"], 201);
  EXPECT_EQ(answer.json["headers"]["x-reference"], "REF-1");
  EXPECT_EQ(answer.json["body"], R"({"hello":"monde"})");
  auto received = server.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[0].version, "HTTP/1.1");
  EXPECT_EQ(received[0].headers["x-test"], "yes");
  EXPECT_EQ(received[0].body, R"({"hello":"monde"})");
}

TEST(HostHttp, TellsTheObserverOfEveryExchangeAndOfNoAnswer) {
  std::vector<std::tuple<std::string, std::string, int>> seen;
  auto observer = [&](const std::string& instance, const std::string& method, int status, double ms) {
    EXPECT_GE(ms, 0);
    seen.emplace_back(instance, method, status);
  };
  TestServer server;
  Host answering(server.url(), {}, observer);
  ASSERT_EQ(answering.http({{"method", "POST"}, {"url", server.url() + "/echo"}, {"body", "x"}}).status, GUICHET_OK);
  // A call refused before any exchange (an undeclared origin) is not one.
  EXPECT_NE(answering.http({{"url", "http://127.0.0.1:1/elsewhere"}}).status, GUICHET_OK);
  std::string nobody = "http://127.0.0.1:" + std::to_string(testing::closed_port());
  Host silent(nobody, {}, observer);
  EXPECT_NE(silent.http({{"url", nobody + "/ping"}}).status, GUICHET_OK);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_tuple(std::string("test-instance"), std::string("POST"), 201));
  EXPECT_EQ(seen[1], std::make_tuple(std::string("test-instance"), std::string("GET"), 0));
}

TEST(HostHttp, ReusesAKeptAliveConnection) {
  TestServer server;
  Host host(server.url());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(host.http({{"url", server.url() + "/ping"}}).status, GUICHET_OK);
  auto received = server.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].client_port, received[1].client_port);
  EXPECT_EQ(received[1].client_port, received[2].client_port);
}

TEST(HostHttp, ServesManyThreadsAtOnce) {
  TestServer server;
  Host host(server.url());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Answer answer = host.http({{"method", "POST"}, {"url", server.url() + "/echo"}, {"body", "x"}});
        if (answer.status != GUICHET_OK) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(server.received().size(), 60u);
}

TEST(HostHttp, RetriesAnIdempotentRequestOnAConnectionTheServerClosed) {
  TestServer server(std::chrono::milliseconds(200));
  HttpClientOptions patient;
  patient.idle_expiry = std::chrono::seconds(30);  // keep the connection longer than the server does
  Host host(server.url(), patient);
  ASSERT_EQ(host.http({{"url", server.url() + "/first"}}).status, GUICHET_OK);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  Answer answer = host.http({{"method", "GET"}, {"url", server.url() + "/second"}});
  ASSERT_EQ(answer.status, GUICHET_OK) << answer.text;
  auto received = server.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_NE(received[0].client_port, received[1].client_port);
}

TEST(HostHttp, RefusesAHostTheInstanceDidNotDeclare) {
  TestServer declared, other;
  Host host(declared.url());
  Answer answer = host.http({{"url", other.url() + "/echo"}});
  EXPECT_EQ(answer.status, GUICHET_ERROR);
  EXPECT_EQ(answer.json, Json({{"message", "host not declared"}, {"transient", false}}));
  EXPECT_TRUE(other.received().empty());
  // Same host, other scheme: another origin.
  EXPECT_EQ(host.http({{"url", "https://127.0.0.1:" + std::to_string(declared.port())}}).json["message"],
            "host not declared");
}

TEST(HostHttp, TimeoutIsTransient) {
  TestServer server;
  Host host(server.url());
  Answer answer = host.http({{"url", server.url() + "/slow"}, {"timeout_ms", 200}});
  EXPECT_EQ(answer.status, GUICHET_ERROR);
  EXPECT_EQ(answer.json["transient"], true);
  EXPECT_NE(answer.json["message"].get<std::string>().find("timed out"), std::string::npos);
}

TEST(HostHttp, TheTimeoutBoundsTheWholeExchangeNotEachRead) {
  TestServer server;
  Host host(server.url());
  auto started = std::chrono::steady_clock::now();
  Answer cut = host.http({{"url", server.url() + "/trickle"}, {"timeout_ms", 500}});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(cut.status, GUICHET_ERROR);
  EXPECT_EQ(cut.json["transient"], true);
  EXPECT_LT(took, std::chrono::milliseconds(1500)) << "each byte came within the timeout, the body did not";
  Answer whole = host.http({{"url", server.url() + "/trickle"}, {"timeout_ms", 5000}});
  ASSERT_EQ(whole.status, GUICHET_OK) << whole.text;
  EXPECT_EQ(whole.json["body"], std::string(20, 'x'));
}

TEST(HostHttp, ConnectionRefusedIsTransient) {
  std::string url = "http://127.0.0.1:" + std::to_string(testing::closed_port());
  Host host(url);
  Answer answer = host.http({{"url", url + "/echo"}});
  EXPECT_EQ(answer.status, GUICHET_ERROR);
  EXPECT_EQ(answer.json["transient"], true);
  EXPECT_NE(answer.json["message"].get<std::string>().find("connection refused"), std::string::npos);
}

TEST(HostHttp, RefusesMalformedRequests) {
  TestServer server;
  Host host(server.url());
  EXPECT_EQ(host.http({{"url", server.url()}, {"headers", {{"X-A", "1\r\nX-Injected: 1"}}}}).status,
            GUICHET_BAD_INPUT);
  EXPECT_EQ(host.http({{"url", server.url()}, {"headers", {{"Host", "elsewhere"}}}}).status, GUICHET_BAD_INPUT);
  EXPECT_EQ(host.http({{"url", server.url()}, {"method", "GET /x"}}).status, GUICHET_BAD_INPUT);
  EXPECT_EQ(host.http({{"url", "file:///etc/passwd"}}).status, GUICHET_BAD_INPUT);
  EXPECT_EQ(host.http({{"url", server.url()}, {"timeout_ms", 0}}).status, GUICHET_BAD_INPUT);
  Answer not_json = host.http(Json("not an object"));
  EXPECT_EQ(not_json.status, GUICHET_BAD_INPUT);
  EXPECT_EQ(not_json.json["transient"], false);
  EXPECT_TRUE(server.received().empty());
}

TEST(HostHttp, OriginsComeFromSettingsEndingInUrl) {
  HostServices services("x",
                        Json{{"token_url", "https://Auth.Example/token"},
                             {"api", {{"base_url", "http://api.example:8080/v1"}}},
                             {"homepage", "http://not-declared.example"},
                             {"mirrors", {{{"status_url", "http://status.example"}}}}},
                        HostDependencies{});
  EXPECT_EQ(services.origins(), (std::set<std::string>{"https://auth.example:443", "http://api.example:8080",
                                                       "http://status.example:80"}));
}

TEST(HostSecrets, KnownAndUnknownNames) {
  testing::TempDir dir;
  testing::write_file(dir / "secrets.json", R"({"caf-95.client_secret":"s3cret"})");
  HostDependencies dependencies;
  dependencies.secrets = std::make_shared<Secrets>(Secrets::load(dir / "secrets.json"));
  HostServices services("caf-95", Json::object(), dependencies);
  const guichet_host_v1& table = *services.table();
  std::string name = "caf-95.client_secret";
  guichet_buffer out{nullptr, 0};
  ASSERT_EQ(table.secret(table.ctx, name.data(), name.size(), &out), GUICHET_OK);
  EXPECT_EQ(std::string(out.data, out.size), "s3cret");
  table.free_buffer(table.ctx, &out);
  EXPECT_EQ(out.data, nullptr);
  name = "caf-93.client_secret";
  EXPECT_EQ(table.secret(table.ctx, name.data(), name.size(), &out), GUICHET_ERROR);
  table.free_buffer(table.ctx, &out);
  EXPECT_TRUE(Secrets::load(dir / "missing.json").find("anything") == std::nullopt);
}

TEST(HostClock, ComesFromTheRegistryClock) {
  HostDependencies dependencies;
  dependencies.now_ms = [] { return int64_t{1795000000000}; };
  HostServices services("x", Json::object(), dependencies);
  EXPECT_EQ(services.table()->now_ms(services.table()->ctx), 1795000000000);
}

class Capture : public Poco::Channel {
 public:
  void log(const Poco::Message& message) override { lines.push_back(message.getText()); }
  std::vector<std::string> lines;
};

TEST(HostLog, OneLineAtMostOneKibibyte) {
  Poco::AutoPtr<Capture> capture(new Capture);
  Poco::Logger& logger = Poco::Logger::get("connector.log-test");
  logger.setChannel(capture);
  logger.setLevel(Poco::Message::PRIO_DEBUG);
  HostServices services("log-test", Json::object(), HostDependencies{});
  const guichet_host_v1& table = *services.table();
  std::string forged = std::string("sent r1\r\n2026-11-20 [E] hub: forged\xE2\x80\xA8") + "line" +
                       std::string(1, '\0') + "end" + std::string(3000, 'x');
  table.log(table.ctx, GUICHET_LOG_INFO, forged.data(), forged.size());
  ASSERT_EQ(capture->lines.size(), 1u);
  const std::string& line = capture->lines[0];
  EXPECT_LE(line.size(), HostServices::kMaxLogLine);
  EXPECT_EQ(line.find_first_of(std::string("\r\n\0", 3)), std::string::npos);
  EXPECT_EQ(line.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_EQ(line.rfind("sent r1  2026-11-20 [E] hub: forged line end", 0), 0u);
  logger.setChannel(nullptr);
}

}  // namespace
}  // namespace guichet::connectors
