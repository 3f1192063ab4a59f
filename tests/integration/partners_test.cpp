// Local partners added by configuration alone: a real hub whose department file declares an
// association reached by generic_rest (the association simulator) and a CIDFF reached by
// generic_email (the real mail server). Each must receive exactly the fields its instance declares:
// canary values in every other field of the case must appear nowhere they received.
#include "guichet/test/harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>
#include <thread>

namespace guichet::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kApiKey = "dcdf-api-key-for-tests";
const std::string kCidff = "accueil@cidff95.example.org";

Json rest_partner(std::uint16_t port) {
  std::string base = "http://127.0.0.1:" + std::to_string(port) + "/api/orientations";
  return {{"instance", "dcdf-95"},
          {"plugin", "generic_rest"},
          {"agency", "Du Côté des Femmes"},
          {"needs", {"housing"}},
          {"poll_interval_s", 1},
          {"fields", {{"person", {"given_names", "birth_name", "phone"}}, {"situation", {"safe_channel"}}}},
          {"settings",
           {{"endpoint_url", base},
            {"auth", {{"kind", "api_key"}, {"header", "X-Api-Key"}, {"secret_name", "dcdf-95.api_key"}}},
            {"body",
             {{"source", {{"const", "guichet-pnd-95"}}},
              {"reference_externe", "request_id"},
              {"beneficiaire.nom", "person.birth_name"},
              {"beneficiaire.prenoms[]", "person.given_names"},
              {"beneficiaire.telephone", {{"field", "contact.phone"}, {"default", nullptr}}},
              {"urgence", {{"field", "need.urgency"}, {"default", "normale"}}}}},
            {"reference_pointer", "/id"},
            {"status_url", base + "/{reference}"},
            {"status_pointer", "/statut"},
            {"status_map", {{"recue", "acknowledged"}, {"en_cours", "in_review"}, {"acceptee", "accepted"}, {"refusee", "refused"}}},
            {"message_pointer", "/motif"}}}};
}

Json email_partner(const std::string& instance, const std::string& body) {
  return {{"instance", instance},
          {"plugin", "generic_email"},
          {"agency", "CIDFF du Val-d'Oise"},
          {"needs", {"psych_support"}},
          {"fields", {{"person", {"given_names", "birth_name"}}, {"situation", {"safe_channel"}}}},
          {"settings",
           {{"to", kCidff},
            {"subject", "Orientation {{person.birth_name}}"},
            {"body", body},
            {"attachment", "orientation.json"},
            {"replies", {{{"match", "bien re(?:ç|c)u"}, {"state", "acknowledged"}}}}}}};
}

// A case whose every undeclared field holds a canary.
Json case_with_canaries() {
  return Json::parse(R"({
    "person": {
      "given_names": ["Amina"], "birth_name": "Benali", "usage_name": "CANARY-USAGE", "sex": "F",
      "birth_date": "1990-04-12", "nir": "290049501899999",
      "phone": "+33612345678", "email": "canary-email@example.org",
      "address": {"line": "CANARY-ADDRESS", "postcode": "95000", "city": "CANARY-CITY"},
      "contact_address": {"line": "CANARY-CONTACT", "postcode": "95300", "city": "Pontoise"},
      "caf_number": "9999999", "france_travail_id": "CANARYFT9",
      "children": [{"given_name": "CANARY-CHILD", "birth_date": "2022-05-01"}],
      "languages": ["tzm"]
    },
    "situation": {
      "department": "95", "proof": {"kind": "complaint", "date": "2026-11-20"},
      "abuser_in_caf_household": true, "address_confidential": true, "safe_channel": "phone"
    },
    "needs": [{"kind": "housing", "urgency": "tonight"}, {"kind": "psych_support"}],
    "consent": {"housing": true, "psych_support": true}
  })");
}

// The undeclared values, as they would appear if leaked.
const char* const kCanaries[] = {"CANARY", "tzm", "290049501899999", "1990-04-12", "9999999", "canary-email", "complaint"};

void expect_no_canary(const std::string& sent, const std::string& where) {
  for (const char* canary : kCanaries) EXPECT_EQ(sent.find(canary), std::string::npos) << canary << " in " << where;
}

class PartnersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mail_.emplace(dir_.path());
    association_.emplace(ChildProcess::Options{
        Paths::binary("guichet-sim"),
        {"association", "--port", std::to_string(association_port_), "--api-key", kApiKey, "--step-ms", "60000"},
        dir_ / "association.log", {}, {}, "association"});
    association_->wait_for_port(association_port_);

    std::string body =
        "Bonjour,\nNous vous orientons {{person.given_names}} {{person.birth_name}}.\n"
        "La contacter : {{contact.channel_label}}\nRéférence : {{correlation}}\n";
    write_department("95", Json::array({rest_partner(association_port_), email_partner("cidff-95", body)}));
    // A template asking for a field its instance does not declare: refused at start-up.
    write_department("93", Json::array({email_partner("cidff-93", "NIR : {{person.nir}}")}));
    write_file(data_dir_ / "secrets.json", Json({{"dcdf-95.api_key", kApiKey}}).dump());
    Json config = {{"listen", {{"host", "127.0.0.1"}, {"port", hub_port_}}},
                   {"data_dir", data_dir_.string()},
                   {"plugin_dir", Paths::plugin_dir().string()},
                   {"departments_dir", (dir_ / "departments").string()},
                   {"web_dir", (Paths::source_dir() / "hub" / "web").string()},
                   {"mail", {{"smtp_host", "127.0.0.1"}, {"smtp_port", mail_->port()}}},
                   {"dispatch", {{"workers", 2}, {"retry", {{"initial_ms", 100}, {"multiplier", 2}, {"cap_ms", 1000}}}}}};
    write_file(config_file_, config.dump(2));
    hub_.emplace(ChildProcess::Options{Paths::binary("guichet"),
                                       {"serve", "--config", config_file_.string(), "--data-dir", data_dir_.string(),
                                        "--port", std::to_string(hub_port_)},
                                       dir_ / "hub.log", {}, {}, "guichet"});
    hub_->wait_for_http(url("/healthz"));
    http_.set_bearer(token("referent-95"));
  }

  void write_department(const std::string& code, const Json& instances) {
    write_file(dir_ / "departments" / (code + ".json"),
               Json({{"department", code}, {"name", "Département " + code}, {"instances", instances}}).dump(2));
  }

  std::string token(const std::string& referent) {
    std::filesystem::path out = dir_ / ("token-" + referent + ".txt");
    ChildProcess minting({Paths::binary("guichet"),
                          {"token", "--config", config_file_.string(), "--referent", referent, "--department", "95"},
                          out, {}, {}, "guichet token"});
    if (minting.wait_for_exit() != 0) throw std::runtime_error("guichet token failed: " + minting.log_tail());
    std::string text = read_file(out);
    return text.substr(0, text.find('\n'));
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(hub_port_) + path; }

  Json association_ledger() const {
    return Json::parse(HttpClient().get("http://127.0.0.1:" + std::to_string(association_port_) + "/_received").body);
  }

  Json wait_for_ledger(std::size_t effects) const {
    auto until = std::chrono::steady_clock::now() + 20s;
    Json ledger = association_ledger();
    while (ledger["received"].size() < effects && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(100ms);
      ledger = association_ledger();
    }
    return ledger;
  }

  TempDir dir_{"guichet-partners"};
  std::filesystem::path data_dir_ = dir_ / "data";
  std::filesystem::path config_file_ = dir_ / "guichet.json";
  std::uint16_t hub_port_ = free_port();
  std::uint16_t association_port_ = free_port();
  std::optional<MailServer> mail_;
  std::optional<ChildProcess> association_, hub_;
  HttpClient http_;
};

TEST_F(PartnersTest, EachPartnerReceivesExactlyTheFieldsItsInstanceDeclares) {
  HttpResponse created = http_.post(url("/v1/cases"), case_with_canaries().dump(), {{"Idempotency-Key", "partners-1"}});
  ASSERT_EQ(created.status, 201) << created.body;
  Json view = Json::parse(created.body);
  ASSERT_EQ(view["requests"].size(), 2u);

  Json ledger = wait_for_ledger(1);
  ASSERT_EQ(ledger["received"].size(), 1u) << ledger.dump(2) << hub_->log_tail();
  Json sent = ledger["received"][0]["body"];
  EXPECT_EQ(sent["beneficiaire"], Json({{"nom", "Benali"}, {"prenoms", {"Amina"}}, {"telephone", "+33612345678"}}));
  EXPECT_EQ(sent["urgence"], "tonight");
  EXPECT_EQ(sent["source"], "guichet-pnd-95");
  expect_no_canary(sent.dump(), "the association's request");

  std::vector<ReceivedMail> mails = mail_->maildir().wait_for_messages(kCidff, 1);
  ASSERT_EQ(mails.size(), 1u);
  const ReceivedMail& mail = mails[0];
  EXPECT_NE(mail.subject().find("Orientation Benali"), std::string::npos) << mail.subject();
  ASSERT_NE(mail.text(), nullptr);
  EXPECT_NE(mail.text()->content.find("Nous vous orientons Amina Benali."), std::string::npos) << mail.text()->content;
  // Her safe channel is the phone, but the CIDFF may not have the number: it goes through the référent.
  EXPECT_NE(mail.text()->content.find("La contacter : uniquement par l'intermédiaire du référent"), std::string::npos)
      << mail.text()->content;
  const MailPart* attachment = mail.attachment("orientation.json");
  ASSERT_NE(attachment, nullptr);
  Json form = Json::parse(attachment->content);
  EXPECT_EQ(form["person"], Json({{"given_names", {"Amina"}}, {"birth_name", "Benali"}}));
  EXPECT_EQ(form["situation"], Json({{"safe_channel", "phone"}}));
  for (const MailPart& part : mail.parts) expect_no_canary(part.content, "the CIDFF's mail");
  expect_no_canary(mail.subject(), "the CIDFF's subject");
  EXPECT_EQ(mail.raw.find("+33612345678"), std::string::npos);

  // The association's reference came back; the hub follows it by polling.
  auto until = std::chrono::steady_clock::now() + 20s;
  Json housing;
  while (std::chrono::steady_clock::now() < until) {
    Json current = Json::parse(http_.get(url("/v1/cases/" + view["case_id"].get<std::string>())).body);
    for (const auto& request : current["requests"]) {
      if (request["need"] == "housing") housing = request;
    }
    if (housing.value("agency_reference", Json()) == "DCDF-0001") break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(housing["agency_reference"], "DCDF-0001") << housing.dump(2);
  EXPECT_EQ(housing["state"], "acknowledged");
}

TEST_F(PartnersTest, AnInstanceWhoseTemplateNamesAnUndeclaredFieldIsRejectedAtStartUp) {
  Json connectors = Json::parse(http_.get(url("/v1/connectors")).body)["connectors"];
  Json rejected;
  for (const auto& connector : connectors) {
    if (connector["instance"] == "cidff-93") rejected = connector;
  }
  ASSERT_FALSE(rejected.is_null()) << connectors.dump(2);
  EXPECT_EQ(rejected["state"], "rejected");
  EXPECT_NE(rejected["last_error"].get<std::string>().find("body: field {{person.nir}}"), std::string::npos)
      << rejected["last_error"];
  for (const auto& connector : connectors) {
    if (connector["instance"] != "cidff-93") {
      EXPECT_EQ(connector["state"], "ready") << connector.dump();
    }
  }
}

}  // namespace
}  // namespace guichet::test
