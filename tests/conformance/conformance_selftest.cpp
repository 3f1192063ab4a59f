// The conformance suite checked on itself: it passes a plugin the hub ships and refuses, with the
// reasons, one that breaks the rules.
#include "hub/conformance/agency_host.h"
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

// "%PDF-1.3 (cnry-nir-0badf00d) Tj" in base64: what a PDF hiding a canary would send.
TEST(ConformanceSuite, SearchesTheDecodedBytesOfBase64Attachments) {
  Json mail{{"subject", "[GCH-1] Demande"},
            {"attachments", Json::array({Json{{"filename", "demande.pdf"},
                                              {"content_base64", "JVBERi0xLjMgKGNucnktbmlyLTBiYWRmMDBkKSBUag=="}}})}};
  EXPECT_EQ(mail.dump().find("cnry-nir-0badf00d"), std::string::npos);
  EXPECT_NE(searchable(mail).find("cnry-nir-0badf00d"), std::string::npos);
  EXPECT_NE(searchable(Json{{"mails", Json::array({mail})}}).find("cnry-nir-0badf00d"), std::string::npos);
}

TEST(ConformanceSuite, AFileTheLoaderRefusesFailsAtLoad) {
  std::ostringstream report;
  EXPECT_FALSE(check_plugin("/nonexistent/ghost.so", report));
  EXPECT_NE(report.str().find("FAIL  load: manifest:"), std::string::npos) << report.str();
}

}  // namespace
}  // namespace guichet::conformance
