// guichet-conformance [--host guichet-connector-host] [--gtest_...] [plugin.so...]
//
// The conformance suite as one parameterised GoogleTest suite: one test per (plugin, check), named
// "<id>/<check>". Without plugin arguments it runs on every .so of the build's plugin directory
// (GUICHET_PLUGIN_DIR), which is how ctest runs it on the hub's own connectors; installed with the
// SDK, a connector's author runs it on theirs.
#include "hub/conformance/conformance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <iostream>

namespace guichet::conformance {
namespace {

struct Case {
  std::filesystem::path library;
  std::string id;     // the manifest's id, or the file's stem when it cannot be loaded
  std::string check;  // a Check name, or "load"
};

// Names the case in gtest's messages instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.id << "/" << c.check; }

std::vector<Case>& cases() {
  static std::vector<Case> all;
  return all;
}

// --host PATH: every check runs the plugin in that guichet-connector-host, as the hub runs an
// untrusted instance.
std::filesystem::path& host_binary() {
  static std::filesystem::path path;
  return path;
}

// The cases for the given plugin files: every check that applies, or "load" alone for a plugin the
// hub's loader refuses.
std::vector<Case> cases_for(const std::vector<std::filesystem::path>& libraries) {
  std::vector<Case> all;
  for (const auto& library : libraries) {
    try {
      Subject subject = Subject::open(library);
      for (const Check& check : checks()) {
        if (check.applies(subject.manifest())) all.push_back({library, subject.manifest().id, check.name});
      }
    } catch (const std::exception&) {
      all.push_back({library, library.stem().string(), "load"});
    }
  }
  return all;
}

std::vector<std::filesystem::path> plugins_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> libraries;
  if (!std::filesystem::is_directory(dir)) return libraries;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".so") libraries.push_back(entry.path());
  }
  std::sort(libraries.begin(), libraries.end());
  return libraries;
}

class Conformance : public ::testing::TestWithParam<Case> {};

TEST_P(Conformance, Holds) {
  const Case& c = GetParam();
  Subject subject;
  try {
    subject = Subject::open(c.library);
  } catch (const std::exception& e) {
    FAIL() << c.library.string() << " is refused by the hub's loader: " << e.what();
  }
  subject.host_binary = host_binary();
  auto check = std::find_if(checks().begin(), checks().end(), [&](const Check& k) { return c.check == k.name; });
  ASSERT_NE(check, checks().end());
  std::vector<std::string> failures;
  try {
    failures = check->run(subject);
  } catch (const std::exception& e) {
    failures.push_back(std::string("the check could not run: ") + e.what());
  }
  for (const std::string& failure : failures) ADD_FAILURE() << c.id << ": " << check->summary << ": " << failure;
}

INSTANTIATE_TEST_SUITE_P(Plugins, Conformance, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.id + "_" + info.param.check;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);

}  // namespace
}  // namespace guichet::conformance

int main(int argc, char** argv) {
  // The cases must be known before InitGoogleTest, which instantiates the suite.
  std::vector<std::filesystem::path> libraries;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--host" && i + 1 < argc) {
      guichet::conformance::host_binary() = argv[++i];
    } else if (word.rfind("--gtest", 0) != 0) {
      libraries.emplace_back(word);
    }
  }
  if (libraries.empty()) libraries = guichet::conformance::plugins_in(GUICHET_PLUGIN_DIR);
  if (libraries.empty()) {
    std::cerr << "usage: guichet-conformance [--host guichet-connector-host] [--gtest_...] plugin.so...\n";
    return 2;
  }
  guichet::conformance::cases() = guichet::conformance::cases_for(libraries);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
