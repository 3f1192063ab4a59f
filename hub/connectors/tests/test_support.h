// Helpers shared by the connector tests: temporary directories, fixture plugins, a real HTTP server.
#ifndef GUICHET_HUB_CONNECTORS_TESTS_TEST_SUPPORT_H
#define GUICHET_HUB_CONNECTORS_TESTS_TEST_SUPPORT_H

#include <Poco/Net/HTTPServer.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace guichet::connectors::testing {

using Json = nlohmann::json;

std::filesystem::path fixture_dir();

// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& path, const std::string& text);

// Copies fixture <id>.so and its manifest <id>.json into `dir`.
void copy_fixture(const std::string& id, const std::filesystem::path& dir);

// A copy of the good fixture library cut to its first `size` bytes.
void write_truncated_library(const std::filesystem::path& path, std::uintmax_t size);

struct ReceivedRequest {
  std::string method, uri, version, body;
  std::map<std::string, std::string> headers;  // lower-case names
  int client_port = 0;
};

// An HTTP server on 127.0.0.1 and an ephemeral port. Paths:
//   /echo   201, header X-Reference: REF-1, body = the request body
//   /slow   waits 1.5 s, then 200
//   /trickle  200 at once, then its 20-byte body a byte every 100 ms (2 s in all)
//   anything else 200 "ok"
class TestServer {
 public:
  explicit TestServer(std::chrono::milliseconds keep_alive_timeout = std::chrono::milliseconds(10000));
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<ReceivedRequest> received() const;
  void record(ReceivedRequest request);

 private:
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> received_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

// A TCP port on 127.0.0.1 where nothing listens.
int closed_port();

}  // namespace guichet::connectors::testing

#endif  // GUICHET_HUB_CONNECTORS_TESTS_TEST_SUPPORT_H
