// Runs the built guichet-sim as a child process, the way scripts and the hub's tests use it.
#include "tests/test_client.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <gtest/gtest.h>

#include <csignal>
#include <regex>

namespace guichet::sim {
namespace {

struct Child {
  Poco::ProcessHandle handle;
  std::string first_line;
};

Child launch(const std::vector<std::string>& args) {
  Poco::Pipe output;
  Poco::ProcessHandle handle = Poco::Process::launch(GUICHET_SIM_BINARY, args, nullptr, &output, nullptr);
  Poco::PipeInputStream stream(output);
  std::string line;
  std::getline(stream, line);
  return {handle, line};
}

std::uint16_t port_of(const std::string& line) {
  std::smatch match;
  if (!std::regex_search(line, match, std::regex("listening on 127\\.0\\.0\\.1:(\\d+)$"))) return 0;
  return static_cast<std::uint16_t>(std::stoi(match[1]));
}

TEST(Binary, AnnouncesItselfServesAndStopsOnSigterm) {
  Child child = launch({"france_travail", "--port", "0", "--step-ms", "50"});
  const std::uint16_t port = port_of(child.first_line);
  ASSERT_NE(port, 0) << child.first_line;
  EXPECT_EQ(child.first_line.rfind("guichet-sim france_travail listening on", 0), 0u);

  const auto health = testing::TestClient(port).get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json()["agency"], "france_travail");

  ::kill(child.handle.id(), SIGTERM);
  EXPECT_EQ(child.handle.wait(), 0);
}

TEST(Binary, AppliesFaultFlagsAtStart) {
  Child child = launch({"caf", "--port=0", "--error_rate", "1", "--client-id", "hub"});
  const std::uint16_t port = port_of(child.first_line);
  ASSERT_NE(port, 0) << child.first_line;
  const auto reply = testing::TestClient(port).post_form(
      "/oauth2/token", "grant_type=client_credentials&client_id=hub&client_secret=guichet-secret");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.header("Retry-After"), "1");

  ::kill(child.handle.id(), SIGINT);
  EXPECT_EQ(child.handle.wait(), 0);
}

TEST(Binary, RejectsUnknownFlags) {
  Child child = launch({"caf", "--no-such-flag", "1"});
  EXPECT_EQ(child.handle.wait(), 2);
  Child agency = launch({"siao"});
  EXPECT_EQ(agency.handle.wait(), 2);
}

}  // namespace
}  // namespace guichet::sim
