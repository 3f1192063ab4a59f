#include "hub/connectors/tests/test_support.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <fstream>
#include <random>
#include <thread>

namespace guichet::connectors::testing {
namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(TestServer& server) : server_(server) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    ReceivedRequest received;
    received.method = request.getMethod();
    received.uri = request.getURI();
    received.version = request.getVersion();
    for (const auto& [name, value] : request) received.headers[Poco::toLower(name)] = value;
    Poco::StreamCopier::copyToString(request.stream(), received.body);
    received.client_port = request.clientAddress().port();
    std::string body = received.body;
    std::string uri = received.uri;
    server_.record(std::move(received));

    if (uri == "/echo") {
      response.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
      response.set("X-Reference", "REF-1");
      response.setContentType("application/json");
      response.setContentLength(static_cast<std::streamsize>(body.size()));
      response.send() << body;
      return;
    }
    if (uri == "/trickle") {
      // Headers at once, then a byte every 100 ms: each read is quick, the whole is not.
      response.setContentLength(20);
      std::ostream& out = response.send();
      out.flush();
      for (int i = 0; i < 20 && out; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        out.put('x');
        out.flush();
      }
      return;
    }
    if (uri == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    response.setContentLength(2);
    response.send() << "ok";
  }

 private:
  TestServer& server_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(TestServer& server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(server_);
  }

 private:
  TestServer& server_;
};

}  // namespace

std::filesystem::path fixture_dir() { return GUICHET_FIXTURE_PLUGIN_DIR; }

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() / ("guichet-connectors-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

void copy_fixture(const std::string& id, const std::filesystem::path& dir) {
  std::filesystem::copy_file(fixture_dir() / (id + ".so"), dir / (id + ".so"));
  std::filesystem::copy_file(fixture_dir() / (id + ".json"), dir / (id + ".json"));
}

void write_truncated_library(const std::filesystem::path& path, std::uintmax_t size) {
  std::filesystem::copy_file(fixture_dir() / "fixture_echo.so", path);
  std::filesystem::resize_file(path, size);
}

TestServer::TestServer(std::chrono::milliseconds keep_alive_timeout) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(keep_alive_timeout.count() * 1000));
  params->setMaxThreads(8);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
  server_->start();
}

TestServer::~TestServer() { server_->stopAll(true); }

std::vector<ReceivedRequest> TestServer::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

void TestServer::record(ReceivedRequest request) {
  std::lock_guard lock(mutex_);
  received_.push_back(std::move(request));
}

int closed_port() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  int port = socket.address().port();
  socket.close();
  return port;
}

}  // namespace guichet::connectors::testing
