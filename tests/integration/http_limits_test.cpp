// The HTTP front door against clients that do not play fair, on a real hub: a URI or headers too
// long get 414 and 431, a body trickled a byte at a time is cut off at the request deadline (408)
// and the thread goes back to work for everyone else.
#include "guichet/test/harness.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

HubStackOptions with_deadline(int seconds) {
  HubStackOptions options;
  options.http["request_deadline_s"] = seconds;
  return options;
}

TEST(HttpLimits, ALongUriOrHeadersAreRefusedWithTheirOwnStatus) {
  HubStack stack;
  HttpClient http = stack.client("referent-a");
  HttpResponse uri = http.get(stack.url("/v1/cases?overall=" + std::string(9000, 'x')));
  EXPECT_EQ(uri.status, 414);
  EXPECT_EQ(Json::parse(uri.body)["error"]["code"], "uri_too_long");

  Headers many;
  for (int i = 0; i < 20; ++i) many["X-Padding-" + std::to_string(i)] = std::string(1000, 'p');
  HttpResponse headers = http.get(stack.url("/v1/cases"), many);
  EXPECT_EQ(headers.status, 431);
  EXPECT_EQ(Json::parse(headers.body)["error"]["code"], "headers_too_large");
  EXPECT_EQ(http.get(stack.url("/v1/cases")).status, 200);
}

TEST(HttpLimits, ATricklingBodyIsCutOffAtTheRequestDeadline) {
  HubStack stack(with_deadline(2));
  std::string token = stack.token("referent-slow");
  const std::string hub = stack.url("");  // http://127.0.0.1:PORT
  Poco::Net::StreamSocket slow(Poco::Net::SocketAddress(hub.substr(7)));
  std::string head = "POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Authorization: Bearer " + token + "\r\nContent-Length: 1000\r\n\r\n{";
  slow.sendBytes(head.data(), static_cast<int>(head.size()));
  auto started = std::chrono::steady_clock::now();
  std::string answer;
  slow.setReceiveTimeout(Poco::Timespan(10, 0));
  // A byte every 500 ms: each within the per-read timeout, never the whole body.
  std::thread trickle([&] {
    try {
      for (int i = 0; i < 20; ++i) {
        std::this_thread::sleep_for(500ms);
        slow.sendBytes(" ", 1);
      }
    } catch (const Poco::Exception&) {
      // The hub closed the connection: what this test waits for.
    }
  });
  char buffer[4096];
  int got = 0;
  while ((got = slow.receiveBytes(buffer, sizeof buffer)) > 0) {
    answer.append(buffer, static_cast<size_t>(got));
    if (answer.find("\r\n\r\n") != std::string::npos && answer.find("request_timeout") != std::string::npos) break;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  trickle.join();
  EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
  EXPECT_NE(answer.find("request_timeout"), std::string::npos) << answer;
  EXPECT_LT(seconds, 5.0);
  // Nothing of it was stored, and the hub serves others as before.
  HttpClient http = stack.client("referent-slow");
  EXPECT_TRUE(Json::parse(http.get(stack.url("/v1/cases")).body)["cases"].empty());
}

}  // namespace
}  // namespace guichet::test
