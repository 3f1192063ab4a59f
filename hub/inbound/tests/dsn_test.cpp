// Delivery status notifications as scripts/mailserver and common relays (Postfix) write them.
#include "hub/inbound/dsn.h"

#include <gtest/gtest.h>

#include <string>

namespace guichet::inbound {
namespace {

// What scripts/mailserver delivers to the hub's mailbox when an agency's domain does not exist.
const std::string kMailserverReport =
    "Delivered-To: guichet@guichet.local\n"
    "From: Mail Delivery System <MAILER-DAEMON@guichet.local>\n"
    "To: guichet@guichet.local\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Message-ID: <0b48@mailserver.guichet.local>\n"
    "Auto-Submitted: auto-replied\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn-45873d\"\n"
    "\n"
    "--dsn-45873d\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "Your message could not be delivered to one or more recipients: their domain does not exist.\n"
    "\n"
    "--dsn-45873d\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mailserver.guichet.local\n"
    "\n"
    "Final-Recipient: rfc822; siao@siao95.invalid\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <siao@siao95.invalid>: domain not found\n"
    "\n"
    "--dsn-45873d\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "From: guichet@guichet.local\n"
    "To: siao@siao95.invalid\n"
    "Subject: [GCH-7Q2XAB] Demande\n"
    "Message-ID: <k_5f0c2d9e-siao-0021@guichet.local>\n"
    "\n"
    "--dsn-45873d--\n";

std::string with_crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

TEST(DeliveryReport, ReadsTheMailServersBounce) {
  auto report = parse_delivery_report(kMailserverReport);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->original_message_id, "<k_5f0c2d9e-siao-0021@guichet.local>");
  EXPECT_EQ(report->action, "failed");
  EXPECT_EQ(report->status, "5.1.1");
  EXPECT_EQ(report->diagnostic, "550 5.1.1 <siao@siao95.invalid>: domain not found");
  EXPECT_TRUE(report->permanent());
}

TEST(DeliveryReport, ReadsCrlfLineEnds) {
  auto report = parse_delivery_report(with_crlf(kMailserverReport));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->original_message_id, "<k_5f0c2d9e-siao-0021@guichet.local>");
  EXPECT_EQ(report->status, "5.1.1");
}

// Postfix's shape: folded Content-Type, unquoted upper-case parameters, the whole original message
// as message/rfc822, a delayed recipient before the failed one, a folded Diagnostic-Code.
TEST(DeliveryReport, ReadsARelaysReportAndPrefersTheFailedRecipient) {
  const std::string raw =
      "From: MAILER-DAEMON@relay.example.org (Mail Delivery System)\n"
      "Content-Type: multipart/report;\n"
      "\tREPORT-TYPE=Delivery-Status;\n"
      "\tboundary=B1\n"
      "\n"
      "--B1\n"
      "Content-Description: Notification\n"
      "Content-Type: text/plain\n"
      "\n"
      "I'm sorry to have to inform you...\n"
      "--B1\n"
      "Content-Type: message/delivery-status\n"
      "\n"
      "Reporting-MTA: dns; relay.example.org\n"
      "Arrival-Date: Fri, 20 Nov 2026 09:30:00 +0100\n"
      "\n"
      "Final-Recipient: rfc822; a@slow.example.org\n"
      "Action: delayed\n"
      "Status: 4.4.1\n"
      "\n"
      "Final-Recipient: rfc822; b@gone.example.org\n"
      "Action: Failed\n"
      "Status: 5.1.2\n"
      "Diagnostic-Code: X-Postfix; Host or domain name not found.\n"
      "    Name service error\n"
      "\n"
      "--B1\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "Message-ID: <k_abc@guichet.local>\n"
      "Subject: x\n"
      "\n"
      "body that may hold personal data\n"
      "--B1--\n";
  auto report = parse_delivery_report(raw);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->original_message_id, "<k_abc@guichet.local>");
  EXPECT_EQ(report->action, "failed");
  EXPECT_EQ(report->status, "5.1.2");
  EXPECT_EQ(report->diagnostic, "Host or domain name not found. Name service error");
}

TEST(DeliveryReport, ADelayIsNotPermanent) {
  std::string raw = kMailserverReport;
  raw.replace(raw.find("Action: failed"), 14, "Action: delayed");
  raw.replace(raw.find("Status: 5.1.1"), 13, "Status: 4.4.7");
  auto report = parse_delivery_report(raw);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->action, "delayed");
  EXPECT_FALSE(report->permanent());
}

TEST(DeliveryReport, AnAgencysAnswerIsNotAReport) {
  EXPECT_FALSE(parse_delivery_report("From: siao95@siao.example.org\n"
                                     "Subject: Re: [GCH-7Q2XAB] Demande\n"
                                     "Content-Type: text/plain; charset=UTF-8\n"
                                     "\n"
                                     "Bonjour, nous accusons réception de votre demande.\n"));
  // A multipart/report of another kind (a read receipt) is not a delivery report either.
  std::string receipt = kMailserverReport;
  receipt.replace(receipt.find("report-type=delivery-status"), 27, "report-type=disposition-notification");
  EXPECT_FALSE(parse_delivery_report(receipt));
  EXPECT_FALSE(parse_delivery_report(""));
}

TEST(DeliveryReport, WithoutTheOriginalHeadersTheMessageIdIsEmpty) {
  std::string raw = kMailserverReport;
  raw.erase(raw.find("--dsn-45873d\nContent-Type: text/rfc822-headers"));
  raw += "--dsn-45873d--\n";
  auto report = parse_delivery_report(raw);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->original_message_id, "");
  EXPECT_EQ(report->status, "5.1.1");
}

}  // namespace
}  // namespace guichet::inbound
