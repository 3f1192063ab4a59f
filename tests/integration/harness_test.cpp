// The harness's own promises, checked on small stand-in processes (Debian's python3 and sh), so a
// hub test that fails points at the hub and not at the harness.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>

#include "guichet/test/harness.hpp"

namespace {

using namespace std::chrono_literals;
using guichet::test::ChildProcess;
using guichet::test::HttpClient;
using guichet::test::Paths;
using guichet::test::TempDir;

// A tiny HTTP server: /healthz → 200, /echo → the request's method, body and X-Probe header.
const char* kHttpServer = R"PY(
import http.server, json, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.dumps({"method": self.command, "path": self.path,
                           "body": self.rfile.read(n).decode(),
                           "probe": self.headers.get("X-Probe"),
                           "type": self.headers.get("Content-Type"),
                           "auth": self.headers.get("Authorization"),
                           "env": os.environ.get("GUICHET_PROBE")}).encode()
        self.send_response(200 if self.path.split("?")[0] in ("/healthz", "/echo") else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = do_DELETE = answer
print("serving", flush=True)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
)PY";

ChildProcess::Options shell(const TempDir& dir, const std::string& script) {
  ChildProcess::Options options;
  options.command = "/bin/sh";
  options.args = {"-c", script};
  options.log_file = dir / "sh.log";
  return options;
}

TEST(Harness, StartsAServerPassesItsEnvironmentAndTalksHttpToIt) {
  TempDir dir;
  const auto port = guichet::test::free_port();
  ChildProcess::Options options;
  options.name = "http-stand-in";
  options.command = Paths::system_python();
  options.args = {"-c", kHttpServer, std::to_string(port)};
  options.env = {{"GUICHET_PROBE", "from-the-test"}};
  options.log_file = dir / "logs" / "http.log";
  ChildProcess server(options);

  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  server.wait_for_http(base + "/healthz");
  server.wait_for_log("serving");

  HttpClient client;
  client.set_bearer("t0k3n");
  const auto posted = client.post(base + "/echo?x=1", R"({"a":1})", {{"x-probe", "per-call"}});
  EXPECT_EQ(posted.status, 200);
  EXPECT_EQ(posted.header("content-type"), "application/json");
  EXPECT_EQ(posted.body,
            R"({"method": "POST", "path": "/echo?x=1", "body": "{\"a\":1}", "probe": "per-call", )"
            R"("type": "application/json", "auth": "Bearer t0k3n", "env": "from-the-test"})");
  EXPECT_EQ(client.get(base + "/nowhere").status, 404);

  EXPECT_EQ(server.terminate(), 128 + SIGTERM);  // python dies of an unhandled SIGTERM
  EXPECT_THROW(client.get(base + "/healthz"), std::runtime_error);
}

TEST(Harness, AWaitGivesUpAsSoonAsTheProcessExitsAndShowsItsLog) {
  TempDir dir;
  ChildProcess child(shell(dir, "echo 'cannot open store' >&2; exit 3"));
  const auto started = std::chrono::steady_clock::now();
  try {
    child.wait_for_port(guichet::test::free_port(), 30s);
    FAIL() << "wait_for_port returned for a process that exited";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("exit status 3"), std::string::npos) << message;
    EXPECT_NE(message.find("cannot open store"), std::string::npos) << message;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(child.exit_status(), 3);
}

TEST(Harness, TerminateEscalatesToSigkillAndReachesAStoppedProcess) {
  TempDir dir;
  auto options = shell(dir, "trap '' TERM; echo up; while :; do sleep 0.05; done");
  options.grace = 300ms;
  ChildProcess obstinate(options);
  obstinate.wait_for_log("up");
  obstinate.send_signal(SIGSTOP);
  EXPECT_EQ(obstinate.terminate(), 128 + SIGKILL);
  EXPECT_FALSE(obstinate.running());

  ChildProcess crashed(shell(dir, "sleep 30"));
  EXPECT_EQ(crashed.kill9(), 128 + SIGKILL);
  EXPECT_EQ(crashed.kill9(), 128 + SIGKILL);  // again: already reaped, same answer
}

TEST(Harness, FreePortsAreDistinctAndUnused) {
  std::set<std::uint16_t> ports;
  for (int i = 0; i < 20; ++i) {
    const auto port = guichet::test::free_port();
    EXPECT_FALSE(guichet::test::port_open(port));
    ports.insert(port);
  }
  EXPECT_EQ(ports.size(), 20u);
}

TEST(Harness, TempDirIsPrivateAndGoneAfterwards) {
  std::filesystem::path path;
  {
    TempDir dir;
    path = dir.path();
    guichet::test::write_file(dir / "a" / "b.json", "{}");
    EXPECT_EQ(guichet::test::read_file(dir / "a" / "b.json"), "{}");
    const auto perms = std::filesystem::status(path).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);
  }
  if (std::getenv("GUICHET_KEEP_TEST_DIRS") == nullptr) {
    EXPECT_FALSE(std::filesystem::exists(path));
  }
}

}  // namespace
