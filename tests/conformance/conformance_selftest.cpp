// The conformance suite checked on itself: it passes a plugin the hub ships and refuses, with the
// reasons, one that breaks the rules.
#include "hub/conformance/conformance.h"

#include <gtest/gtest.h>

#include <sstream>

namespace guichet::conformance {
namespace {

TEST(ConformanceSuite, PassesAConnectorThatKeepsTheRules) {
  std::ostringstream report;
  EXPECT_TRUE(check_plugin(std::filesystem::path(GUICHET_PLUGIN_DIR) / "psych_support.so", report)) << report.str();
  EXPECT_NE(report.str().find("ok    mail_refusals"), std::string::npos) << report.str();
  EXPECT_NE(report.str().find("skip  http_statuses"), std::string::npos) << report.str();
}

TEST(ConformanceSuite, RefusesACarelessConnectorAndSaysWhy) {
  std::ostringstream report;
  EXPECT_FALSE(check_plugin(CARELESS_PLUGIN, report));
  std::string text = report.str();
  EXPECT_NE(text.find("FAIL  undeclared_fields"), std::string::npos) << text;
  EXPECT_NE(text.find("carries undeclared input unknown-member"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL  idempotency"), std::string::npos) << text;
  EXPECT_NE(text.find("HTTP 404 gave retry, expected data_error"), std::string::npos) << text;
  EXPECT_NE(text.find("HTTP 401 gave retry, expected config_error"), std::string::npos) << text;
  EXPECT_NE(text.find("ok    transport_failure"), std::string::npos) << text;
  EXPECT_EQ(text.find("Amina"), std::string::npos) << "a report never holds a value of the sample case";
}

TEST(ConformanceSuite, AFileTheLoaderRefusesFailsAtLoad) {
  std::ostringstream report;
  EXPECT_FALSE(check_plugin("/nonexistent/ghost.so", report));
  EXPECT_NE(report.str().find("FAIL  load: manifest:"), std::string::npos) << report.str();
}

}  // namespace
}  // namespace guichet::conformance
