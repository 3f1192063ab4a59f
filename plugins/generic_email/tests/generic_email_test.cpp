// Generic e-mail connector, loaded from the built plugin and driven against a fake host, configured
// as department 95's CIDFF would configure it.
#include <guichet/connectors/connector_test.hpp>

namespace {

// The connector's message in the testing kit's "create failed: {"message": ...}".
std::string message_of(const std::exception& e) {
  std::string what = e.what();
  auto answer = nlohmann::json::parse(what.substr(what.find('{')), nullptr, false);
  return answer.is_object() ? answer.value("message", what) : what;
}

using guichet::connectors::testing::check_goldens;
using guichet::connectors::testing::golden;
using guichet::connectors::testing::manifest;
using guichet::sdk::Json;
using guichet::sdk::testing::FakeHost;
using guichet::sdk::testing::Plugin;

Json settings() {
  Json settings = manifest()["example_settings"];
  settings["_fields"] = {{"person", {"given_names", "birth_name", "phone"}}, {"situation", {"safe_channel"}}};
  return settings;
}

std::string create_error(const Json& settings) {
  FakeHost host;
  try {
    Plugin(PLUGIN_PATH).create(host, settings);
  } catch (const std::exception& e) {
    return message_of(e);
  }
  return "(created)";
}

Json reply(const std::string& subject, const std::string& text) {
  return {{"from", "accueil@cidff95.example.org"},
          {"subject", subject},
          {"text", text},
          {"headers", Json::object()},
          {"request", {{"request_id", "r_01JD7Q2XAB0003"}, {"state", "sent"}}}};
}

class GenericEmailTest : public ::testing::Test {
 protected:
  FakeHost host;
  Plugin plugin{PLUGIN_PATH};
  guichet::sdk::testing::Instance email = plugin.create(host, settings());
  Json dispatch = golden("cidff_phone.dispatch.json");
};

TEST_F(GenericEmailTest, RendersGoldenScenarios) { check_goldens(email); }

TEST_F(GenericEmailTest, SendsTheTemplatedMailWithTheDeclaredFieldsAttached) {
  EXPECT_EQ(email.deliver(dispatch)["result"], "sent");
  Json mail = host.mails().at(0);
  EXPECT_EQ(mail, email.render(dispatch)["mails"][0]);
  EXPECT_EQ(mail["to"], Json::array({"orientation@cidff95.example.org"}));
  EXPECT_EQ(mail["subject"], "[GCH-7Q2XAE] Orientation Pack nouveau départ");
  EXPECT_NE(mail["text"].get<std::string>().find("Prénoms : Amina, Nour\nNom : Benali\nTéléphone : +33612345678"),
            std::string::npos)
      << mail["text"];
  Json form = Json::parse(mail["attachments"][0]["content"].get<std::string>());
  EXPECT_EQ(form["person"], Json({{"given_names", {"Amina", "Nour"}}, {"birth_name", "Benali"}, {"phone", "+33612345678"}}));
  EXPECT_EQ(form["situation"], Json({{"safe_channel", "phone"}}));
}

TEST_F(GenericEmailTest, UndeclaredFieldsNeverLeaveEvenIfTheHubLetThemThrough) {
  Json leaky = dispatch;
  leaky["person"]["nir"] = "CANARY-nir";
  leaky["person"]["children"] = {{{"given_name", "CANARY-child"}}};
  leaky["situation"]["proof"] = {{"kind", "CANARY-proof"}};
  email.deliver(leaky);
  EXPECT_EQ(host.mails().at(0).dump().find("CANARY"), std::string::npos);
}

TEST_F(GenericEmailTest, LineBreaksInValuesNeverReachTheSubject) {
  Json with_name = settings();
  with_name["subject"] = "Orientation {{person.birth_name}}";
  FakeHost other;
  auto instance = plugin.create(other, with_name);
  Json injected = dispatch;
  injected["person"]["birth_name"] = "Benali\r\nBcc: abuser@example.org";
  std::string subject = instance.render(injected)["mails"][0]["subject"];
  EXPECT_EQ(subject.find_first_of("\r\n"), std::string::npos);
  EXPECT_EQ(subject, "[GCH-7Q2XAE] Orientation Benali  Bcc: abuser@example.org");
}

TEST_F(GenericEmailTest, AnUndeclaredFieldInATemplateIsRefusedAtCreationWithItsName) {
  Json bad = settings();
  bad["body"] = "NIR : {{person.nir}}";
  EXPECT_NE(create_error(bad).find("body: field {{person.nir}}: person.nir is not a field declared for this instance"),
            std::string::npos)
      << create_error(bad);
  bad = settings();
  bad["subject"] = "{{ person.narrative }}";
  EXPECT_NE(create_error(bad).find("subject: field {{person.narrative}}"), std::string::npos) << create_error(bad);
  bad["subject"] = "{{agency.secret}}";
  EXPECT_NE(create_error(bad).find("is not a field of the dispatch"), std::string::npos) << create_error(bad);
  bad["subject"] = "Orientation {{person.birth_name";
  EXPECT_NE(create_error(bad).find("never closed"), std::string::npos) << create_error(bad);
}

TEST_F(GenericEmailTest, RepliesAreReadByTheConfiguredRules) {
  Json ack = email.on_email(reply("RE: [GCH-7Q2XAE] Orientation", "Bonjour, accusé de réception. Réf : CIDFF-2026-17\n> Bonjour,"));
  EXPECT_EQ(ack["review"], false);
  ASSERT_EQ(ack["events"].size(), 1u);
  EXPECT_EQ(ack["events"][0]["state"], "acknowledged");
  EXPECT_EQ(ack["events"][0]["agency_reference"], "CIDFF-2026-17");
  EXPECT_EQ(ack["events"][0]["request_id"], "r_01JD7Q2XAB0003");

  Json refused = email.on_email(reply("RE: orientation", "Nous ne pouvons pas la recevoir ce mois-ci."));
  EXPECT_EQ(refused["events"][0]["state"], "refused");
  EXPECT_EQ(refused["events"][0]["message"], "Le partenaire ne peut pas donner suite");
}

TEST_F(GenericEmailTest, QuotedTextIsNotReadAndNoMatchAsksForAReview) {
  Json answer = email.on_email(reply("RE: orientation", "Merci, nous revenons vers vous.\n> accusé de réception"));
  EXPECT_EQ(answer["review"], true);
  EXPECT_TRUE(answer["events"].empty());
}

TEST_F(GenericEmailTest, AnInvalidReplyExpressionIsRefusedAtCreation) {
  Json bad = settings();
  bad["replies"][1]["match"] = "rendez-vous (";
  EXPECT_NE(create_error(bad).find("replies[1].match is not a valid regular expression"), std::string::npos);
}

TEST_F(GenericEmailTest, WithdrawalNoticeNamesNobody) {
  EXPECT_EQ(email.withdraw(dispatch)["result"], "sent");
  std::string notice = host.mails().at(0).dump();
  for (const char* personal : {"Amina", "Benali", "+33612345678"}) {
    EXPECT_EQ(notice.find(personal), std::string::npos) << personal;
  }
}

}  // namespace
