// Replies as the simulated agencies and common mail clients write them.
#include "hub/inbound/inbound_mail.h"

#include <gtest/gtest.h>

#include <string>

namespace guichet::inbound {
namespace {

// What `guichet-sim email_agencies` sends back (scripts/mailserver adds Delivered-To).
const std::string kAgencyReply =
    "Delivered-To: guichet+GCH-7Q2XAB@guichet.local\n"
    "From: \"SIAO du Val-d'Oise\" <SIAO95@siao.example.org>\n"
    "To: guichet+GCH-7Q2XAB@guichet.local\n"
    "Subject: =?UTF-8?Q?Re:_[GCH-7Q2XAB]_Demande_d'h=C3=A9bergement?=\n"
    "Message-ID: <ack-0001@siao.example.org>\n"
    "In-Reply-To: <gch-abc@guichet.local>\n"
    "References: <gch-abc@guichet.local>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Notre r=C3=A9f=C3=A9rence : SIAO-95-0001.\n";

TEST(InboundMail, ReadsHeadersAndTheDecodedText) {
  InboundMail mail = parse_inbound_mail(kAgencyReply);
  EXPECT_EQ(mail.message_id, "<ack-0001@siao.example.org>");
  EXPECT_EQ(mail.from, "siao95@siao.example.org");
  EXPECT_EQ(mail.subject, "Re: [GCH-7Q2XAB] Demande d'hébergement");
  ASSERT_EQ(mail.to.size(), 2u);
  EXPECT_EQ(mail.to[0], "guichet+gch-7q2xab@guichet.local");
  EXPECT_EQ(mail.refs, (std::vector<std::string>{"<gch-abc@guichet.local>", "<gch-abc@guichet.local>"}));
  EXPECT_EQ(mail.text, "Notre référence : SIAO-95-0001.\n");
  EXPECT_EQ(correlation_of(mail, "guichet@guichet.local"), "GCH-7Q2XAB");
}

TEST(InboundMail, TakesTheTextPartOfAMultipartReplyAndSkipsAttachments) {
  const std::string raw =
      "From: creche@cergy.example.org\r\n"
      "To: guichet@guichet.local\r\n"
      "Subject: RE: [GCH-AB12CD34] Demande de place\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
      "\r\n"
      "--b1\r\n"
      "Content-Type: text/plain; charset=UTF-8\r\n"
      "Content-Disposition: attachment; filename=\"notes.txt\"\r\n"
      "\r\n"
      "pas le texte\r\n"
      "--b1\r\n"
      "Content-Type: text/plain; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "UGxhY2UgYXR0cmlidcOpZS4=\r\n"
      "--b1--\r\n";
  InboundMail mail = parse_inbound_mail(raw);
  EXPECT_EQ(mail.text, "Place attribuée.");
  // Replied to the bare mailbox: the tag in the subject still finds the request.
  EXPECT_EQ(correlation_of(mail, "guichet@guichet.local"), "GCH-AB12CD34");
  EXPECT_TRUE(mail.message_id.empty());
}

TEST(InboundMail, APlusAddressOfAnotherMailboxIsNoCorrelation) {
  InboundMail mail = parse_inbound_mail(
      "From: a@b.example\nTo: other+GCH-7Q2XAB@guichet.local, guichet+x@elsewhere.example\nSubject: bonjour\n\ntexte\n");
  EXPECT_EQ(correlation_of(mail, "guichet@guichet.local"), "");
  EXPECT_EQ(mail.text, "texte\n");
}

// The input tests/fuzz found: a multipart mail with a byte 0xFF after its last boundary kept
// Poco's reader looping for ever.
TEST(InboundMail, AByte0xFFInAMultipartMailDoesNotStallTheReader) {
  std::string raw =
      "From: a@b.example\nTo: guichet@guichet.local\nSubject: x\nMIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n"
      "--b1\nContent-Type: text/plain\n\nbonjour\n\n--other--\n:\xff";
  InboundMail mail = parse_inbound_mail(raw);
  EXPECT_EQ(mail.from, "a@b.example");
}

TEST(InboundMail, GarbageReadsAsAnEmptyMailInsteadOfThrowing) {
  InboundMail mail = parse_inbound_mail(std::string("\x01\x02 not a mail\n--\n", 17));
  EXPECT_TRUE(mail.from.empty());
  EXPECT_EQ(correlation_of(mail, "guichet@guichet.local"), "");
}

}  // namespace
}  // namespace guichet::inbound
