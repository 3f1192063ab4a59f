// Housing (SIAO) connector, loaded from the built plugin and driven against a fake host.
#include <guichet/connectors/connector_test.hpp>

#include <algorithm>

namespace {

using guichet::connectors::testing::check_goldens;
using guichet::connectors::testing::check_reply_goldens;
using guichet::connectors::testing::from_base64;
using guichet::connectors::testing::golden;
using guichet::connectors::testing::has_canary;
using guichet::connectors::testing::manifest;
using guichet::connectors::testing::sent_text;
using guichet::connectors::testing::with_canaries;
using guichet::sdk::Json;
using guichet::sdk::testing::FakeHost;
using guichet::sdk::testing::Plugin;

class HousingTest : public ::testing::Test {
 protected:
  // Subject, body and attachments alike, the PDF's bytes included.
  static bool contains(const Json& mail, const std::string& text) {
    return sent_text(mail).find(text) != std::string::npos;
  }

  static Json attachment(const Json& mail, const std::string& filename) {
    for (const Json& item : mail["attachments"]) {
      if (item["filename"] == filename) return item;
    }
    ADD_FAILURE() << "no attachment " << filename;
    return Json::object();
  }

  // The PDF's bytes; it is uncompressed, so its text can be searched. libharu writes text as
  // Windows-1252 strings, with non-ASCII bytes and ( ) / in octal ("Pr\351noms").
  std::string pdf(const Json& dispatch) const {
    Json printable = attachment(housing.render(dispatch)["mails"][0], "demande-siao.pdf");
    EXPECT_EQ(printable["content_type"], "application/pdf");
    EXPECT_FALSE(printable.contains("content"));
    return from_base64(printable.value("content_base64", std::string()));
  }

  FakeHost host;
  Plugin plugin{PLUGIN_PATH};
  guichet::sdk::testing::Instance housing = plugin.create(host, manifest()["example_settings"]);
  Json dispatch = golden("scenario1_tonight.dispatch.json");
};

TEST_F(HousingTest, RendersGoldenScenarios) { check_goldens(housing); }

TEST_F(HousingTest, SendsTheRenderedMailToTheSiao) {
  Json outcome = housing.deliver(dispatch);
  EXPECT_EQ(outcome["result"], "sent");
  ASSERT_EQ(host.mails().size(), 1u);
  Json mail = host.mails()[0];
  EXPECT_EQ(mail, housing.render(dispatch)["mails"][0]);
  EXPECT_EQ(mail["to"], Json::array({"siao95@siao.example.org"}));
  EXPECT_EQ(mail["idempotency_key"], "k_5f0c2d9e-siao-0021");
  EXPECT_EQ(mail["correlation"], "GCH-7Q2XAB");
}

TEST_F(HousingTest, SubjectCarriesTheCorrelationAndTonightsUrgency) {
  Json mail = housing.render(dispatch)["mails"][0];
  std::string subject = mail["subject"];
  EXPECT_EQ(subject.rfind("[GCH-7Q2XAB] ", 0), 0u);
  EXPECT_NE(subject.find("MISE À L'ABRI CE SOIR"), std::string::npos);
  EXPECT_NE(mail["text"].get<std::string>().find("MISE À L'ABRI CE SOIR"), std::string::npos);

  dispatch["need"].erase("urgency");
  std::string calm = housing.render(dispatch)["mails"][0]["subject"];
  EXPECT_EQ(calm.find("CE SOIR"), std::string::npos);
}

TEST_F(HousingTest, AttachesTheSiaoFormAsJsonAndAsPdf) {
  Json mail = housing.render(dispatch)["mails"][0];
  ASSERT_EQ(mail["attachments"].size(), 2u);
  EXPECT_EQ(mail["attachments"][0]["filename"], "demande-siao.json");
  EXPECT_EQ(mail["attachments"][1]["filename"], "demande-siao.pdf");
  EXPECT_NE(mail["text"].get<std::string>().find("(demande-siao.pdf) et en JSON pour vos outils (demande-siao.json)"),
            std::string::npos);
  Json json = attachment(mail, "demande-siao.json");
  EXPECT_EQ(json["content_type"], "application/json");
  Json form = Json::parse(json["content"].get<std::string>());
  EXPECT_EQ(form["urgence"], "mise_a_l_abri_ce_soir");
  EXPECT_EQ(form["composition"]["enfants"].size(), 2u);
  EXPECT_EQ(form["contact"], Json({{"canal", "telephone"}, {"telephone", "+33612345678"}}));
}

TEST_F(HousingTest, ThePdfIsAReadableSiaoForm) {
  std::string bytes = pdf(dispatch);
  EXPECT_EQ(bytes.rfind("%PDF-", 0), 0u);
  std::string end = bytes.substr(bytes.size() - 6);
  EXPECT_TRUE(end == "%%EOF\n" || end.substr(1) == "%%EOF") << end;
  for (const char* fact : {"(Benali)", "(Amina Nour)", "(Pr\\351noms)", "l'abri ce soir", "(MISE \\300 L'ABRI CE SOIR",
                           "(fr, ar)", "(Lina, n\\351\\050e\\051 le 01\\05705\\0572024)", "(+33612345678)",
                           "(r_01JD7Q2XAB0021)", "(GCH-7Q2XAB)"}) {
    EXPECT_NE(bytes.find(fact), std::string::npos) << fact;
  }
  EXPECT_EQ(pdf(dispatch), bytes) << "the same dispatch gives the same PDF: no date in it";
}

TEST_F(HousingTest, ThePdfHoldsTheSafeChannelOnlyAndNeverAnAddress) {
  std::string bytes = pdf(dispatch);
  for (const char* absent : {"amina.b@example.org", "Palais", "Durand", "Pontoise"}) {
    EXPECT_EQ(bytes.find(absent), std::string::npos) << absent;
  }
  Json referent_only = golden("no_urgency_referent_only.dispatch.json");
  bytes = pdf(referent_only);
  EXPECT_NE(bytes.find("(Dubois)"), std::string::npos);
  EXPECT_NE(bytes.find("(sans urgence imm\\351diate)"), std::string::npos);
  EXPECT_EQ(bytes.find("ce soir"), std::string::npos);
  EXPECT_EQ(bytes.find("+33655554444"), std::string::npos);
  EXPECT_EQ(bytes.find("33655554444"), std::string::npos);
}

TEST_F(HousingTest, ThePdfWrapsLongValuesTurnsPagesAndKeepsToWindows1252) {
  dispatch["person"]["usage_name"] = "Benali-" + std::string(300, 'x');
  dispatch["person"]["given_names"] = {"Amina", "Nour", "Œdile", "诺"};
  dispatch["person"]["children"] = Json::array();
  for (int i = 0; i < 60; ++i) dispatch["person"]["children"].push_back({{"given_name", "Enfant" + std::to_string(i)}});
  std::string bytes = pdf(dispatch);
  EXPECT_NE(bytes.find("(Amina Nour \\214dile ?)"), std::string::npos);
  EXPECT_EQ(bytes.find(std::string(300, 'x')), std::string::npos) << "a word wider than its column is cut";
  EXPECT_NE(bytes.find("(Enfant59)"), std::string::npos);
  const std::string page = "/Type /Page\n";
  std::size_t pages = 0;
  for (std::size_t at = bytes.find(page); at != std::string::npos; at = bytes.find(page, at + 1)) ++pages;
  EXPECT_GE(pages, 2u);
}

TEST_F(HousingTest, OnlyTheSafeChannelsDetailIsSent) {
  Json mail = housing.render(dispatch)["mails"][0];
  EXPECT_TRUE(contains(mail, "+33612345678"));
  EXPECT_FALSE(contains(mail, "amina.b@example.org"));
  EXPECT_FALSE(contains(mail, "place du Palais"));
}

TEST_F(HousingTest, UndeclaredFieldsAndProofNeverLeave) {
  Json leaky = with_canaries(dispatch);
  leaky["situation"]["proof"] = {{"kind", "complaint"}, {"date", "2026-11-10"}, {"CANARY", "récit"}};
  leaky["person"]["address"] = {{"line", "CANARY 12 rue des Lilas"}, {"postcode", "95000"}, {"city", "Cergy"}};
  housing.deliver(leaky);
  ASSERT_EQ(host.mails().size(), 1u);
  EXPECT_FALSE(has_canary(host.mails()[0])) << host.mails()[0].dump(2);
  EXPECT_EQ(host.mails()[0].dump().find("complaint"), std::string::npos);
}

TEST_F(HousingTest, TransientMailFailureIsRetriedAndPermanentIsAConfigError) {
  host.reject_mail(true);
  EXPECT_EQ(housing.deliver(dispatch)["result"], "retry");
  FakeHost refusing;
  refusing.reject_mail(false);
  auto instance = plugin.create(refusing, manifest()["example_settings"]);
  Json outcome = instance.deliver(dispatch);
  EXPECT_EQ(outcome["result"], "config_error");
  EXPECT_EQ(outcome["message"],
            "SIAO mail for request r_01JD7Q2XAB0021 refused permanently by the mail server: SMTP 550 5.1.1");
}

TEST_F(HousingTest, WithdrawalNoticeCarriesReferencesOnly) {
  dispatch["agency_reference"] = "SIAO-95-778";
  EXPECT_EQ(housing.withdraw(dispatch)["result"], "sent");
  Json notice = host.mails().at(0);
  EXPECT_EQ(notice["idempotency_key"], "k_5f0c2d9e-siao-0021");
  EXPECT_EQ(notice["subject"], "[GCH-7Q2XAB] Retrait de la demande — Pack nouveau départ");
  for (const char* personal : {"Benali", "Amina", "+33612345678", "1990"}) {
    EXPECT_EQ(notice.dump().find(personal), std::string::npos) << personal;
  }
}

// The référent's answer goes in the request's thread, under its own key, with the references and
// nothing of the person but the text the référent wrote.
TEST_F(HousingTest, AnAnswerIsAMailInTheRequestsThreadUnderItsOwnKey) {
  dispatch["agency_reference"] = "SIAO-95-778";
  dispatch["answer"] = {{"text", "Elle peut être hébergée avec sa fille dès ce soir."},
                        {"idempotency_key", "k_5f0c2d9e-siao-0021-answer-1795000000000"}};
  EXPECT_EQ(housing.answer(dispatch)["result"], "sent");
  Json mail = host.mails().at(0);
  EXPECT_EQ(mail["to"], Json::array({"siao95@siao.example.org"}));
  EXPECT_EQ(mail["idempotency_key"], "k_5f0c2d9e-siao-0021-answer-1795000000000");
  EXPECT_EQ(mail["correlation"], "GCH-7Q2XAB");
  EXPECT_EQ(mail["subject"], "[GCH-7Q2XAB] Réponse à votre demande d'information — Pack nouveau départ");
  EXPECT_TRUE(contains(mail, "Elle peut être hébergée avec sa fille dès ce soir."));
  EXPECT_TRUE(contains(mail, "SIAO-95-778"));
  EXPECT_TRUE(mail["attachments"].empty());
  for (const char* personal : {"Benali", "Amina", "+33612345678", "1990"}) {
    EXPECT_FALSE(contains(mail, personal)) << personal;
  }
  host.reject_mail(true);
  EXPECT_EQ(housing.answer(dispatch)["result"], "retry");
}

// The agency's answers as guichet-sim email_agencies writes them, and a few written by hand.
TEST_F(HousingTest, ReadsTheAgencysRepliesLikeTheGoldens) {
  Json capabilities = manifest()["capabilities"];
  EXPECT_NE(std::find(capabilities.begin(), capabilities.end(), "on_email"), capabilities.end());
  EXPECT_GE(check_reply_goldens(housing), 6);
}

TEST_F(HousingTest, AnUnclassifiedReplyGoesToReviewWithAShortSummary) {
  std::string rambling = "Bonjour,\n\n";
  for (int i = 0; i < 40; ++i) rambling += "Nous verrons lundi avec l'équipe. ";
  Json answer = housing.on_email({{"from", "siao95@siao.example.org"},
                                  {"subject", "Re: [GCH-7Q2XAB] Demande"},
                                  {"text", rambling},
                                  {"headers", Json::object()},
                                  {"request", {{"request_id", "r_01JD7Q2XAB0021"}, {"state", "sent"}}}});
  EXPECT_EQ(answer["events"], Json::array());
  EXPECT_TRUE(answer["review"].get<bool>());
  std::string summary = answer["summary"];
  EXPECT_EQ(summary.rfind("Réponse non reconnue : Nous verrons lundi", 0), 0u) << summary;
  std::size_t characters = 0;
  for (unsigned char c : summary) characters += (c & 0xC0) != 0x80;
  EXPECT_EQ(characters, 200u);
  EXPECT_EQ(summary.substr(summary.size() - 3), "…");
}

TEST_F(HousingTest, EventsAreDatedByTheHostsClock) {
  Json answer = housing.on_email({{"text", "Nous accusons réception de votre demande. Référence : 115-42."},
                                  {"request", {{"request_id", "r_1"}}}});
  ASSERT_EQ(answer["events"].size(), 1u);
  EXPECT_EQ(answer["events"][0],
            Json({{"request_id", "r_1"}, {"agency_reference", "115-42"}, {"state", "acknowledged"},
                  {"at", "2026-11-18T11:06:40Z"}}));
}

}  // namespace
