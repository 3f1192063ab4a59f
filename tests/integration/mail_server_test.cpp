// The real mail server (scripts/mailserver) as the e-mail agencies' side of the hub sees it:
// messages sent over SMTP land, intact, in one Maildir per recipient, plus-addressed mail in the
// base address's Maildir, a .invalid recipient bounces back to the sender as an RFC 3464 report,
// and its log never shows what a message says.

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/PartSource.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/StringPartSource.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "guichet/test/harness.hpp"

namespace {

using guichet::test::MailServer;
using guichet::test::ReceivedMail;
using guichet::test::TempDir;
using Poco::Net::MailMessage;
using Poco::Net::MailRecipient;

// Personal data of the kind the hub sends; none of it may reach the server's log.
const std::string kSubject = "[GCH-7Q2XAB] Demande d'hébergement d'urgence — Amina Benali";
const std::string kBody = "Bonjour,\nMadame Amina Benali, née le 12/04/1990, a besoin d'un hébergement ce soir.\n";
const std::string kFormJson =
    R"({"demandeur":{"nom":"Benali","prenoms":["Amina"]},"besoin":"hebergement","urgence":"ce_soir"})";

std::string binary_blob() {
  std::string bytes;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b) {
      bytes.push_back(static_cast<char>(b));
    }
  }
  return bytes;
}

void send(const MailServer& server, MailMessage& message) {
  Poco::Net::SMTPClientSession session(server.host(), server.port());
  session.login();
  session.sendMessage(message);
  session.close();
}

// MailMessage cannot be copied or moved, so it is filled in place.
void make_plain(MailMessage& message, const std::string& message_id) {
  message.setSender("Guichet <guichet@guichet.local>");
  message.set("Message-ID", message_id);
  message.set("Reply-To", "guichet+GCH-7Q2XAB@guichet.local");
  message.setSubject(MailMessage::encodeWord(kSubject));
  message.setContentType("text/plain; charset=UTF-8");
  message.setContent(kBody, MailMessage::ENCODING_QUOTED_PRINTABLE);
}

// The text part as a reader sees it. Poco's quoted-printable encoder ends the body with one more
// line break than it was given, so trailing line breaks are not part of the comparison.
std::string text_of(const ReceivedMail& mail) {
  const auto* text = mail.text();
  if (text == nullptr) {
    return "(no text part)";
  }
  return text->content.substr(0, text->content.find_last_not_of('\n') + 1);
}

const std::string kBodyText = kBody.substr(0, kBody.find_last_not_of('\n') + 1);

std::vector<std::string> message_ids(const std::vector<ReceivedMail>& mails) {
  std::vector<std::string> ids;
  for (const auto& mail : mails) {
    ids.push_back(mail.message_id());
  }
  return ids;
}

class MailServerTest : public ::testing::Test {
 protected:
  TempDir dir_;
  MailServer server_{dir_.path()};
};

TEST_F(MailServerTest, DeliversEachMessageIntoEachRecipientsMaildir) {
  MailMessage first;
  make_plain(first, "<first-key@guichet.local>");
  // Mixed case on purpose: the Maildir is named after the lower-cased address.
  first.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "SIAO@Siao95.Test"));
  first.addRecipient(MailRecipient(MailRecipient::CC_RECIPIENT, "creche@cergy.test"));
  send(server_, first);

  MailMessage second;
  second.setSender("Guichet <guichet@guichet.local>");
  second.set("Message-ID", "<second-key@guichet.local>");
  second.setSubject(MailMessage::encodeWord(kSubject));
  second.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "association@france-victimes95.test"));
  second.addContent(new Poco::Net::StringPartSource(kBody, "text/plain; charset=UTF-8"),
                    MailMessage::ENCODING_QUOTED_PRINTABLE);
  second.addAttachment("formulaire.json", new Poco::Net::StringPartSource(kFormJson, "application/json"),
                       MailMessage::ENCODING_BASE64);
  second.addAttachment("justificatif.bin",
                       new Poco::Net::StringPartSource(binary_blob(), "application/octet-stream"),
                       MailMessage::ENCODING_BASE64);
  send(server_, second);

  const auto maildir = server_.maildir();
  EXPECT_EQ(maildir.addresses(),
            (std::vector<std::string>{"association@france-victimes95.test", "creche@cergy.test", "siao@siao95.test"}));

  for (const char* address : {"siao@siao95.test", "SIAO@SIAO95.TEST", "creche@cergy.test"}) {
    SCOPED_TRACE(address);
    const auto mails = maildir.messages(address);
    ASSERT_EQ(message_ids(mails), std::vector<std::string>{"<first-key@guichet.local>"});
    EXPECT_EQ(mails[0].subject(), kSubject);
    EXPECT_EQ(mails[0].header("Reply-To"), "guichet+GCH-7Q2XAB@guichet.local");
    EXPECT_EQ(text_of(mails[0]), kBodyText);
  }

  const auto mails = maildir.messages("association@france-victimes95.test");
  ASSERT_EQ(message_ids(mails), std::vector<std::string>{"<second-key@guichet.local>"});
  const ReceivedMail& mail = mails[0];
  EXPECT_EQ(mail.subject(), kSubject);
  EXPECT_EQ(text_of(mail), kBodyText);
  const auto* form = mail.attachment("formulaire.json");
  ASSERT_NE(form, nullptr);
  EXPECT_EQ(form->content_type, "application/json");
  EXPECT_EQ(form->content, kFormJson);
  const auto* proof = mail.attachment("justificatif.bin");
  ASSERT_NE(proof, nullptr);
  EXPECT_EQ(proof->content, binary_blob());

  // The Maildir protocol: a delivered message sits in new/, nothing is left half-written in tmp/.
  for (const auto& address : maildir.addresses()) {
    EXPECT_TRUE(std::filesystem::is_empty(maildir.root() / address / "tmp")) << address;
    EXPECT_FALSE(std::filesystem::is_empty(maildir.root() / address / "new")) << address;
  }

  const std::string log = server_.log();
  EXPECT_NE(log.find("<first-key@guichet.local>"), std::string::npos) << log;
  EXPECT_NE(log.find("<second-key@guichet.local>"), std::string::npos) << log;
  for (const std::string& secret : {std::string("GCH-7Q2XAB"), std::string("hébergement"), std::string("Amina"),
                                    std::string("Benali"), std::string("siao95"), std::string("Demande")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "log shows \"" << secret << "\":\n" << log;
  }
}

TEST_F(MailServerTest, KeepsEveryCopyOfAResentMessage) {
  // Deduplicating by Message-ID is the agency's business; the server must show the hub's resends.
  for (int attempt = 0; attempt < 2; ++attempt) {
    MailMessage message;
    make_plain(message, "<same-key@guichet.local>");
    message.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "siao@siao95.test"));
    send(server_, message);
  }
  EXPECT_EQ(message_ids(server_.maildir().messages("siao@siao95.test")),
            (std::vector<std::string>{"<same-key@guichet.local>", "<same-key@guichet.local>"}));
}

TEST_F(MailServerTest, RefusesRecipientsThatCannotBeAMailboxName) {
  MailMessage message;
  make_plain(message, "<escape-key@guichet.local>");
  message.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "../../escape@guichet.local"));
  EXPECT_THROW(send(server_, message), Poco::Net::SMTPException);
  EXPECT_TRUE(server_.maildir().addresses().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_.path().parent_path() / "escape@guichet.local"));
}

TEST_F(MailServerTest, GreylistsOnceAndRefusesAMailboxThatDoesNotExist) {
  auto code_of_sending = [&](const std::string& to, const std::string& id) {
    MailMessage message;
    make_plain(message, id);
    message.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, to));
    try {
      send(server_, message);
      return 250;
    } catch (const Poco::Net::SMTPException& e) {
      return e.code();
    }
  };
  EXPECT_EQ(code_of_sending("siao@greylist.test", "<grey-1@guichet.local>"), 451);
  EXPECT_EQ(code_of_sending("siao@greylist.test", "<grey-2@guichet.local>"), 250);
  EXPECT_EQ(code_of_sending("creche@refused.test", "<refused-1@guichet.local>"), 550);
  EXPECT_EQ(code_of_sending("creche@refused.test", "<refused-2@guichet.local>"), 550);
  EXPECT_EQ(server_.maildir().addresses(), std::vector<std::string>{"siao@greylist.test"});
  EXPECT_EQ(message_ids(server_.maildir().messages("siao@greylist.test")),
            std::vector<std::string>{"<grey-2@guichet.local>"});
}

TEST_F(MailServerTest, PlusAddressedMailLandsInTheBaseMailboxWithItsFullAddress) {
  MailMessage message;
  make_plain(message, "<reply-key@siao95.test>");
  message.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "guichet+GCH-7Q2XAB@guichet.local"));
  send(server_, message);
  MailMessage other;
  make_plain(other, "<other-key@siao95.test>");
  other.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "Guichet+GCH-OTHER01@Guichet.Local"));
  send(server_, other);

  EXPECT_EQ(server_.maildir().addresses(), std::vector<std::string>{"guichet@guichet.local"});
  const auto mails = server_.maildir().messages("guichet@guichet.local");
  ASSERT_EQ(message_ids(mails), (std::vector<std::string>{"<reply-key@siao95.test>", "<other-key@siao95.test>"}));
  EXPECT_EQ(mails[0].header("Delivered-To"), "guichet+GCH-7Q2XAB@guichet.local");
  EXPECT_EQ(mails[1].header("Delivered-To"), "Guichet+GCH-OTHER01@Guichet.Local");
  EXPECT_EQ(text_of(mails[0]), kBodyText);
}

TEST_F(MailServerTest, AnInvalidDomainIsAcceptedThenBouncedToTheSender) {
  MailMessage message;
  make_plain(message, "<bounce-key@guichet.local>");
  message.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "siao@siao95.invalid"));
  message.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "creche@cergy.test"));
  send(server_, message);  // accepted, as a relay accepts before it tries

  const auto maildir = server_.maildir();
  EXPECT_EQ(message_ids(maildir.messages("creche@cergy.test")), std::vector<std::string>{"<bounce-key@guichet.local>"});
  EXPECT_TRUE(maildir.messages("siao@siao95.invalid").empty());
  const auto reports = maildir.messages("guichet@guichet.local");
  ASSERT_EQ(reports.size(), 1u);
  const ReceivedMail& report = reports[0];
  EXPECT_EQ(report.header("Content-Type").rfind("multipart/report; report-type=delivery-status;", 0), 0u)
      << report.header("Content-Type");
  EXPECT_EQ(report.header("Delivered-To"), "guichet@guichet.local");
  EXPECT_NE(report.message_id(), "<bounce-key@guichet.local>");
  std::vector<std::string> types;
  for (const auto& part : report.parts) types.push_back(part.content_type);
  EXPECT_EQ(types, (std::vector<std::string>{"text/plain", "message/delivery-status", "text/rfc822-headers"}));
  if (types.size() == 3) {
    const std::string& status = report.parts[1].content;
    EXPECT_NE(status.find("Final-Recipient: rfc822; siao@siao95.invalid\n"), std::string::npos) << status;
    EXPECT_NE(status.find("Action: failed\n"), std::string::npos) << status;
    EXPECT_NE(status.find("Status: 5.1.1\n"), std::string::npos) << status;
    EXPECT_EQ(status.find("creche@cergy.test"), std::string::npos) << status;
    const std::string& original = report.parts[2].content;
    EXPECT_NE(original.find("Message-ID: <bounce-key@guichet.local>\n"), std::string::npos) << original;
    EXPECT_EQ(original.find("hébergement ce soir"), std::string::npos) << "the body is not quoted";
  }
  const std::string log = server_.log();
  EXPECT_NE(log.find("bounced message-id=<bounce-key@guichet.local> recipients=1 report=sent"), std::string::npos)
      << log;
  EXPECT_EQ(log.find("siao95"), std::string::npos) << log;
}

TEST_F(MailServerTest, ABounceIsNeverBouncedAgain) {
  Poco::Net::SMTPClientSession session(server_.host(), server_.port());
  session.login();
  std::string response;
  session.sendCommand("MAIL FROM:<>", response);
  session.sendCommand("RCPT TO:<nobody@gone.invalid>", response);
  session.sendCommand("DATA", response);
  session.sendCommand("Subject: report\r\nMessage-ID: <null-sender@x>\r\n\r\nbody\r\n.", response);
  EXPECT_EQ(response.rfind("250", 0), 0u) << response;
  session.close();
  EXPECT_TRUE(server_.maildir().addresses().empty());
  EXPECT_NE(server_.log().find("report=none"), std::string::npos) << server_.log();
}

TEST_F(MailServerTest, StopsCleanlyOnSigterm) {
  EXPECT_TRUE(server_.process().running());
  EXPECT_EQ(server_.stop(), 0) << server_.log();
  EXPECT_FALSE(guichet::test::port_open(server_.port()));
  EXPECT_NE(server_.log().find("stopped after 0 message(s)"), std::string::npos) << server_.log();
}

}  // namespace
