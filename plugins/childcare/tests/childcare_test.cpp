// Childcare connector, loaded from the built plugin and driven against a fake host.
#include <guichet/connectors/connector_test.hpp>

#include <algorithm>

namespace {

using guichet::connectors::testing::check_goldens;
using guichet::connectors::testing::check_reply_goldens;
using guichet::connectors::testing::golden;
using guichet::connectors::testing::has_canary;
using guichet::connectors::testing::manifest;
using guichet::connectors::testing::with_canaries;
using guichet::sdk::Json;
using guichet::sdk::testing::FakeHost;
using guichet::sdk::testing::Plugin;

class ChildcareTest : public ::testing::Test {
 protected:
  FakeHost host;
  Plugin plugin{PLUGIN_PATH};
  guichet::sdk::testing::Instance childcare = plugin.create(host, manifest()["example_settings"]);
  Json dispatch = golden("scenario1_youngest_only.dispatch.json");
};

TEST_F(ChildcareTest, RendersGoldenScenarios) { check_goldens(childcare); }

TEST_F(ChildcareTest, SendsTheRenderedMailWithItsCorrelation) {
  EXPECT_EQ(childcare.deliver(dispatch)["result"], "sent");
  Json mail = host.mails().at(0);
  EXPECT_EQ(mail, childcare.render(dispatch)["mails"][0]);
  EXPECT_EQ(mail["to"], Json::array({"petite-enfance@cergy.example.org"}));
  EXPECT_EQ(mail["subject"].get<std::string>().rfind("[GCH-7Q2XAB] ", 0), 0u);
  EXPECT_EQ(mail["correlation"], "GCH-7Q2XAB");
  EXPECT_EQ(mail["idempotency_key"], "k_5f0c2d9e-creche-0031");
}

TEST_F(ChildcareTest, OnlyTheSelectedChildrenAreNamed) {
  Json mail = childcare.render(dispatch)["mails"][0];
  Json form = Json::parse(mail["attachments"][0]["content"].get<std::string>());
  EXPECT_EQ(form["enfants"], Json::parse(R"([{"prenom":"Lina","dateNaissance":"2024-05-01"}])"));
  EXPECT_EQ(form["parent"]["numeroAllocataire"], "1234567");
  EXPECT_EQ(mail.dump().find("Yanis"), std::string::npos);
}

TEST_F(ChildcareTest, ContactGoesThroughTheSafeChannelOnly) {
  Json mail = childcare.render(dispatch)["mails"][0];
  EXPECT_NE(mail.dump().find("amina.b@example.org"), std::string::npos);
  EXPECT_EQ(mail.dump().find("+33612345678"), std::string::npos);
}

TEST_F(ChildcareTest, NoSelectedChildIsInfoRequestedWithoutMail) {
  Json outcome = childcare.deliver(golden("no_child_selected.dispatch.json"));
  EXPECT_EQ(outcome["result"], "info_requested");
  EXPECT_TRUE(host.mails().empty());
}

TEST_F(ChildcareTest, UndeclaredFieldsNeverLeave) {
  childcare.deliver(with_canaries(dispatch));
  ASSERT_EQ(host.mails().size(), 1u);
  EXPECT_FALSE(has_canary(host.mails()[0])) << host.mails()[0].dump(2);
}

TEST_F(ChildcareTest, MailFailuresAreTyped) {
  host.reject_mail(true);
  EXPECT_EQ(childcare.deliver(dispatch)["result"], "retry");
  FakeHost refusing;
  refusing.reject_mail(false);
  EXPECT_EQ(plugin.create(refusing, manifest()["example_settings"]).deliver(dispatch)["result"],
            "config_error");
}

// The agency's answers as guichet-sim email_agencies writes them, and a few written by hand.
TEST_F(ChildcareTest, ReadsTheAgencysRepliesLikeTheGoldens) {
  Json capabilities = manifest()["capabilities"];
  EXPECT_NE(std::find(capabilities.begin(), capabilities.end(), "on_email"), capabilities.end());
  EXPECT_GE(check_reply_goldens(childcare), 6);
}

}  // namespace
