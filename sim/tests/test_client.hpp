// A small blocking HTTP/1.1 client for the simulator tests: one connection per call, so a test
// never depends on keep-alive behaviour it is not testing.
#ifndef GUICHET_SIM_TESTS_TEST_CLIENT_HPP
#define GUICHET_SIM_TESTS_TEST_CLIENT_HPP

#include <nlohmann/json.hpp>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace guichet::sim::testing {

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;

  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

using Headers = std::map<std::string, std::string>;

class TestClient {
 public:
  explicit TestClient(std::uint16_t port) : port_(port) {}

  // Gives up (Poco::TimeoutException) when no answer comes within `timeout`.
  Reply call(const std::string& method, const std::string& target, const std::string& body = "",
             const Headers& headers = {}, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    Poco::Net::HTTPClientSession session("127.0.0.1", port_);
    session.setTimeout(Poco::Timespan(timeout.count() * 1000));
    Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (method == "POST") {
      if (!request.has("Content-Type")) request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& stream = session.receiveResponse(response);
    Reply reply;
    reply.status = response.getStatus();
    Poco::StreamCopier::copyToString(stream, reply.body);
    for (const auto& [name, value] : response) reply.headers[name] = value;
    return reply;
  }

  Reply get(const std::string& target, const Headers& headers = {}) const {
    return call("GET", target, "", headers);
  }
  Reply post(const std::string& target, const std::string& body, const Headers& headers = {}) const {
    return call("POST", target, body, headers);
  }
  Reply post_form(const std::string& target, const std::string& form) const {
    return call("POST", target, form, {{"Content-Type", "application/x-www-form-urlencoded"}});
  }

 private:
  std::uint16_t port_;
};

}  // namespace guichet::sim::testing

#endif  // GUICHET_SIM_TESTS_TEST_CLIENT_HPP
