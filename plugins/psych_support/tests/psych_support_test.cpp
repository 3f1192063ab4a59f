// Psychological support connector, loaded from the built plugin and driven against a fake host.
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

class PsychSupportTest : public ::testing::Test {
 protected:
  FakeHost host;
  Plugin plugin{PLUGIN_PATH};
  guichet::sdk::testing::Instance psych_support = plugin.create(host, manifest()["example_settings"]);
  Json dispatch = golden("scenario10_phone.dispatch.json");
};

TEST_F(PsychSupportTest, RendersGoldenScenarios) { check_goldens(psych_support); }

TEST_F(PsychSupportTest, DeclaresNoProofNoAddressOfResidenceAndNoHouseholdDetail) {
  Json fields = manifest()["fields"];
  for (const char* field : {"proof", "abuser_in_caf_household", "address_confidential"}) {
    EXPECT_EQ(std::count(fields["situation"].begin(), fields["situation"].end(), field), 0) << field;
  }
  for (const char* field : {"address", "nir", "birth_date", "children", "caf_number"}) {
    EXPECT_EQ(std::count(fields["person"].begin(), fields["person"].end(), field), 0) << field;
  }
}

TEST_F(PsychSupportTest, SendsTheRenderedMailWithTheGeneralReasonOnly) {
  EXPECT_EQ(psych_support.deliver(dispatch)["result"], "sent");
  Json mail = host.mails().at(0);
  EXPECT_EQ(mail, psych_support.render(dispatch)["mails"][0]);
  EXPECT_EQ(mail["subject"], "[GCH-7Q2XAB] Orientation Pack nouveau départ");
  EXPECT_EQ(mail["correlation"], "GCH-7Q2XAB");
  Json form = Json::parse(mail["attachments"][0]["content"].get<std::string>());
  EXPECT_EQ(form["motif"], "orientation Pack nouveau départ");
}

TEST_F(PsychSupportTest, NoProofOrNarrativeLeavesEvenIfTheHubLetItThrough) {
  Json leaky = with_canaries(dispatch);
  leaky["situation"]["proof"] = {{"kind", "complaint"}, {"date", "2026-11-10"}};
  leaky["situation"]["narrative"] = "CANARY récit des violences";
  leaky["need"]["note"] = "CANARY note libre";
  psych_support.deliver(leaky);
  std::string sent = host.mails().at(0).dump();
  EXPECT_FALSE(has_canary(host.mails()[0])) << sent;
  for (const char* word : {"complaint", "plainte", "2026-11-10", "violence"}) {
    EXPECT_EQ(sent.find(word), std::string::npos) << word;
  }
}

TEST_F(PsychSupportTest, PostChannelGivesTheContactAddressOnly) {
  Json mail = psych_support.render(golden("post_to_lawyer.dispatch.json"))["mails"][0];
  Json form = Json::parse(mail["attachments"][0]["content"].get<std::string>());
  EXPECT_EQ(form["contact"]["canal"], "courrier");
  EXPECT_EQ(form["contact"]["adresse"]["commune"], "Pontoise");
  EXPECT_EQ(form["personne"]["nom"], "Lefèvre");
}

TEST_F(PsychSupportTest, WithdrawalNoticeNamesNobody) {
  EXPECT_EQ(psych_support.withdraw(dispatch)["result"], "sent");
  std::string notice = host.mails().at(0).dump();
  for (const char* personal : {"Amina", "Benali", "+33612345678"}) {
    EXPECT_EQ(notice.find(personal), std::string::npos) << personal;
  }
}

// The agency's answers as guichet-sim email_agencies writes them, and a few written by hand.
TEST_F(PsychSupportTest, ReadsTheAgencysRepliesLikeTheGoldens) {
  Json capabilities = manifest()["capabilities"];
  EXPECT_NE(std::find(capabilities.begin(), capabilities.end(), "on_email"), capabilities.end());
  EXPECT_GE(check_reply_goldens(psych_support), 6);
}

}  // namespace
