// The e-mail agencies, end to end on loopback with real servers: the hub's request goes by SMTP
// (scripts/mailserver) into the SIAO's Maildir, `guichet-sim email_agencies` reads it over POP3
// (dovecot, scripts/pop3server) and answers by SMTP to the request's Reply-To plus-address, and
// the answers wait in the hub's own mailbox, where the housing connector reads what they mean.

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/StringPartSource.h>
#include <gtest/gtest.h>
#include <guichet/sdk/testing.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "guichet/test/harness.hpp"

namespace {

using guichet::sdk::Json;
using guichet::test::ChildProcess;
using guichet::test::MailServer;
using guichet::test::Paths;
using guichet::test::Pop3Server;
using guichet::test::ReceivedMail;
using guichet::test::TempDir;
using Poco::Net::MailMessage;

const std::string kHub = "guichet@guichet.local";
const std::string kSiao = "siao95@siao.example.org";
const std::string kTitle = "[GCH-7Q2XAB] Demande d'hébergement — Pack nouveau départ";

// What the hub's mail sender writes (hub/connectors/mail_sender.cpp): a stable Message-ID per
// idempotency key, the correlation in the subject and as Reply-To plus-address, a JSON form.
void send_as_hub(const MailServer& server, const std::string& idempotency_key, const std::string& subject) {
  MailMessage message;
  message.setSender(kHub);
  message.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, kSiao));
  message.setSubject(MailMessage::encodeWord(subject, "UTF-8"));
  message.set("Message-ID", "<" + idempotency_key + "@guichet.local>");
  message.set("Reply-To", "guichet+GCH-7Q2XAB@guichet.local");
  message.addContent(new Poco::Net::StringPartSource("Bonjour,\nDemande d'hébergement ce soir.\n",
                                                     "text/plain; charset=UTF-8"),
                     MailMessage::ENCODING_QUOTED_PRINTABLE);
  message.addAttachment("demande-siao.json",
                        new Poco::Net::StringPartSource(R"({"formulaire":"demande-siao"})", "application/json"),
                        MailMessage::ENCODING_BASE64);
  Poco::Net::SMTPClientSession session(server.host(), server.port());
  session.login();
  session.sendMessage(message);
  session.close();
}

class EmailAgenciesTest : public ::testing::Test {
 protected:
  EmailAgenciesTest() {
    Json accounts{{"accounts", Json::array({Json{{"address", kSiao},
                                                 {"password", pop3_.password(kSiao)},
                                                 {"kind", "siao"},
                                                 {"prefix", "SIAO-95"}}})}};
    guichet::test::write_file(dir_ / "accounts.json", accounts.dump());
    ChildProcess::Options options;
    options.name = "email_agencies";
    options.command = Paths::binary("guichet-sim");
    options.args = {"email_agencies", "--pop3-port", std::to_string(pop3_.port()), "--smtp-port",
                    std::to_string(mail_.port()), "--accounts", (dir_ / "accounts.json").string(),
                    "--step-ms", "2500", "--poll-ms", "200"};
    options.log_file = dir_ / "email_agencies.log";
    agencies_.emplace(options);
    agencies_->wait_for_log("answering 1 mailbox(es)");
  }

  // Waits until the hub's mailbox holds one message, takes it out (POP3 DELE) and parses it.
  ReceivedMail next_hub_mail(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto messages = guichet::test::fetch_mail(pop3_, kHub, true);
      if (!messages.empty()) {
        EXPECT_EQ(messages.size(), 1u) << "answers arrived together";
        guichet::test::write_file(dir_ / "received.eml", messages.front());
        return guichet::test::parse_mail(dir_ / "received.eml");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("no mail in the hub's mailbox; agencies' log:\n" + agencies_->log_tail());
  }

  // The housing connector's reading of an answer, as the hub's mailbox reader will ask for it.
  Json classify(const ReceivedMail& mail) {
    Json email{{"from", mail.header("From")},
               {"subject", mail.subject()},
               {"text", mail.text() ? mail.text()->content : ""},
               {"headers", {{"message-id", mail.message_id()}}},
               {"request", {{"request_id", "r_01JD7Q2XAB0021"}, {"state", "sent"}}}};
    return housing_.on_email(email);
  }

  TempDir dir_{"guichet-email-agencies"};
  MailServer mail_{dir_.path()};
  Pop3Server pop3_{dir_.path(), {kHub, kSiao}};
  std::optional<ChildProcess> agencies_;
  guichet::sdk::testing::FakeHost host_;
  guichet::sdk::testing::Plugin plugin_{(Paths::plugin_dir() / "housing.so").string()};
  guichet::sdk::testing::Instance housing_ = plugin_.create(host_, Json{{"to", kSiao}});
};

TEST_F(EmailAgenciesTest, AcknowledgesThenDecidesByReplyingToThePlusAddress) {
  auto sent_at = std::chrono::steady_clock::now();
  send_as_hub(mail_, "k_request-1", kTitle);

  ReceivedMail ack = next_hub_mail();
  EXPECT_EQ(ack.subject(), "Re: " + kTitle);
  EXPECT_EQ(ack.header("From"), kSiao);
  EXPECT_EQ(ack.header("Delivered-To"), "guichet+GCH-7Q2XAB@guichet.local");
  EXPECT_EQ(ack.header("In-Reply-To"), "<k_request-1@guichet.local>");
  EXPECT_EQ(ack.header("References"), "<k_request-1@guichet.local>");
  ASSERT_NE(ack.text(), nullptr);
  EXPECT_NE(ack.text()->content.find("Notre référence : SIAO-95-0001."), std::string::npos) << ack.text()->content;
  Json read = classify(ack);
  EXPECT_FALSE(read["review"].get<bool>());
  ASSERT_EQ(read["events"].size(), 1u) << read.dump();
  EXPECT_EQ(read["events"][0]["state"], "acknowledged");
  EXPECT_EQ(read["events"][0]["agency_reference"], "SIAO-95-0001");

  ReceivedMail decision = next_hub_mail();
  EXPECT_GE(std::chrono::steady_clock::now() - sent_at, std::chrono::milliseconds(2500));
  EXPECT_EQ(decision.subject(), "Re: " + kTitle);
  EXPECT_EQ(decision.header("In-Reply-To"), "<k_request-1@guichet.local>");
  EXPECT_NE(decision.message_id(), ack.message_id());
  read = classify(decision);
  ASSERT_EQ(read["events"].size(), 1u) << read.dump();
  EXPECT_EQ(read["events"][0]["state"], "accepted");
  EXPECT_EQ(read["events"][0]["agency_reference"], "SIAO-95-0001");

  // The agency deleted the request it answered.
  EXPECT_TRUE(guichet::test::fetch_mail(pop3_, kSiao).empty());
  const std::string log = agencies_->log();
  EXPECT_NE(log.find("request SIAO-95-0001 answered: accepted"), std::string::npos) << log;
  for (const char* personal : {"hébergement", "GCH-7Q2XAB", "guichet+", "Bonjour"}) {
    EXPECT_EQ(log.find(personal), std::string::npos) << personal << " in:\n" << log;
  }
}

TEST_F(EmailAgenciesTest, AResentRequestIsAnsweredOnceAndAWithdrawalOnlyAcknowledged) {
  send_as_hub(mail_, "k_request-1", kTitle);
  send_as_hub(mail_, "k_request-1", kTitle);  // the outbox's retry after a lost SMTP answer
  EXPECT_EQ(classify(next_hub_mail())["events"][0]["state"], "acknowledged");

  send_as_hub(mail_, "k_withdraw-1", "[GCH-7Q2XAB] Retrait de la demande — Pack nouveau départ");
  ReceivedMail notice = next_hub_mail();
  EXPECT_EQ(notice.header("In-Reply-To"), "<k_withdraw-1@guichet.local>");
  Json read = classify(notice);
  ASSERT_EQ(read["events"].size(), 1u) << read.dump();
  EXPECT_EQ(read["events"][0]["state"], "withdrawn");
  EXPECT_EQ(read["events"][0]["agency_reference"], "SIAO-95-0001");

  // No decision follows a withdrawal, and the resent copy got no second acknowledgement.
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  EXPECT_TRUE(guichet::test::fetch_mail(pop3_, kHub).empty());
  EXPECT_TRUE(guichet::test::fetch_mail(pop3_, kSiao).empty());
}

}  // namespace
