#include "hub/connectors/mail_sender.h"
#include "hub/connectors/tests/test_support.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace guichet::connectors {
namespace {

constexpr int64_t kNow = 1795000000000;

Json valid() {
  return Json{{"to", {"accueil@siao95.example"}},
              {"subject", "Demande d'hébergement r_42"},
              {"text", "Bonjour,\nune demande vous attend.\n"},
              {"idempotency_key", "r_42.deliver"},
              {"correlation", "r_42"}};
}

MailSettings settings() {
  MailSettings mail;
  mail.from = "Guichet <guichet@guichet.local>";
  mail.mailbox = "inbox@guichet.local";
  return mail;
}

// The MailFailure rendering `message` raises; fails the test when it renders.
MailFailure refusal(const Json& message) {
  try {
    std::string rendered = render_mail(settings(), message, kNow);
    ADD_FAILURE() << "rendered:\n" << rendered;
  } catch (const MailFailure& e) {
    return e;
  }
  return MailFailure("", true);
}

std::set<std::string> header_names(const Poco::Net::MessageHeader& header) {
  std::set<std::string> names;
  for (const auto& [name, value] : header) names.insert(name);
  return names;
}

class Parts : public Poco::Net::PartHandler {
 public:
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    headers.push_back(header);
    std::string body;
    Poco::StreamCopier::copyToString(stream, body);
    bodies.push_back(body);
  }
  std::vector<Poco::Net::MessageHeader> headers;
  std::vector<std::string> bodies;
};

TEST(RenderMail, CarriesTheIdempotencyKeyAndTheCorrelation) {
  std::string rendered = render_mail(settings(), valid(), kNow);
  std::istringstream in(rendered);
  Poco::Net::MailMessage parsed;
  parsed.read(in);
  EXPECT_EQ(header_names(parsed), (std::set<std::string>{"Content-Transfer-Encoding", "Content-Type", "Date", "From",
                                                         "Message-ID", "Reply-To", "Subject", "To"}));
  EXPECT_EQ(parsed.get("Message-ID"), "<r_42.deliver@guichet.local>");
  EXPECT_EQ(parsed.get("Reply-To"), "inbox+r_42@guichet.local");
  EXPECT_EQ(parsed.get("From"), "Guichet <guichet@guichet.local>");
  EXPECT_EQ(parsed.get("To"), "<accueil@siao95.example>");
  EXPECT_EQ(parsed.get("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(parsed.get("Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_EQ(parsed.getContent(), "Bonjour,\nune demande vous attend.\n");
  EXPECT_EQ(parsed.getSubject(), "Demande d'hébergement r_42");  // Poco decodes the encoded word
  EXPECT_NE(rendered.find("\r\nSubject: =?UTF-8?q?Demande_d'h=C3=A9bergement"), std::string::npos);
  EXPECT_EQ(rendered.find("hébergement"), std::string::npos);  // no raw 8-bit text in headers
  EXPECT_EQ(render_mail(settings(), valid(), kNow), rendered);  // same input, same bytes
}

TEST(RenderMail, AttachmentsAreBase64Parts) {
  Json message = valid();
  message["subject"] = "Demande r_42";
  message["attachments"] = {{{"filename", "demande.txt"}, {"content_type", "text/plain"}, {"content", "ligne 1"}},
                            {{"filename", "pièce.pdf"}, {"content", "%PDF"}}};
  std::string rendered = render_mail(settings(), message, kNow);
  std::istringstream in(rendered);
  Poco::Net::MailMessage parsed;
  Parts parts;
  parsed.read(in, parts);
  EXPECT_EQ(header_names(parsed), (std::set<std::string>{"Content-Type", "Date", "From", "Message-ID", "Mime-Version",
                                                         "Reply-To", "Subject", "To"}));
  EXPECT_EQ(parsed.getSubject(), "Demande r_42");
  ASSERT_EQ(parts.bodies.size(), 3u);
  EXPECT_EQ(parts.bodies[0], "Bonjour,\nune demande vous attend.\n");
  EXPECT_EQ(parts.bodies[1], "ligne 1");
  EXPECT_EQ(parts.headers[1].get("Content-Transfer-Encoding"), "base64");
  EXPECT_NE(parts.headers[1].get("Content-Disposition").find("demande.txt"), std::string::npos);
  EXPECT_EQ(parts.bodies[2], "%PDF");
  EXPECT_EQ(parts.headers[2].get("Content-Type").rfind("application/octet-stream", 0), 0u);
  EXPECT_EQ(rendered.find("pièce"), std::string::npos);
}

TEST(RenderMail, BinaryAttachmentsRoundTripByteForByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  bytes += std::string("%PDF-1.3\r\n\0\xff", 12);
  std::ostringstream encoded;
  Poco::Base64Encoder encoder(encoded);
  encoder.rdbuf()->setLineLength(0);
  encoder << bytes;
  encoder.close();
  Json message = valid();
  message["attachments"] = {{{"filename", "demande.pdf"}, {"content_type", "application/pdf"},
                             {"content_base64", encoded.str()}}};
  std::istringstream in(render_mail(settings(), message, kNow));
  Poco::Net::MailMessage parsed;
  Parts parts;
  parsed.read(in, parts);
  ASSERT_EQ(parts.bodies.size(), 2u);
  EXPECT_EQ(parts.bodies[1], bytes);
  EXPECT_EQ(parts.headers[1].get("Content-Type").rfind("application/pdf", 0), 0u);
}

TEST(RenderMail, RefusesInvalidBase64AndNamesTheFieldOnly) {
  const char* invalid_texts[] = {"QQ", "Q===", "QUJD=", "QQ==QQ==", "QU JD", "QUJD\n", "@@@@", "QUJD-_w=", "Amina Benali"};
  for (const char* invalid : invalid_texts) {
    Json message = valid();
    message["attachments"] = {{{"filename", "a.pdf"}, {"content", "x"}},
                              {{"filename", "b.pdf"}, {"content_base64", invalid}}};
    MailFailure failure = refusal(message);
    EXPECT_STREQ(failure.what(), "attachments[1].content_base64: is not valid base64") << invalid;
    EXPECT_FALSE(failure.transient);
  }
  Json message = valid();
  message["attachments"] = {{{"filename", "a.pdf"}, {"content_base64", 42}}};
  EXPECT_STREQ(refusal(message).what(), "attachments[0].content_base64: must be a string");
}

TEST(RenderMail, AnAttachmentHasExactlyOneContent) {
  Json message = valid();
  message["attachments"] = {{{"filename", "a.pdf"}, {"content", "x"}, {"content_base64", "eA=="}}};
  EXPECT_STREQ(refusal(message).what(), "attachments[0]: needs exactly one of content and content_base64");
  message["attachments"] = {{{"filename", "a.pdf"}}};
  EXPECT_STREQ(refusal(message).what(), "attachments[0]: needs exactly one of content and content_base64");
  message["attachments"] = {{{"filename", "a.pdf"}, {"content_base64", ""}}};
  EXPECT_NO_THROW(render_mail(settings(), message, kNow));
}

TEST(RenderMail, RefusesLineBreaksInHeaderValues) {
  Json message = valid();
  message["subject"] = "Demande\r\nBcc: x@evil.example";
  MailFailure failure = refusal(message);
  EXPECT_FALSE(failure.transient);
  EXPECT_STREQ(failure.what(), "subject: contains a line break or control character");

  message = valid();
  message["attachments"] = {{{"filename", "a.pdf\r\nBcc: x@evil.example"}, {"content", "x"}}};
  EXPECT_STREQ(refusal(message).what(), "attachments[0].filename: contains a line break or control character");
}

TEST(RenderMail, RefusesEveryControlCharacter) {
  const std::string hostile[] = {std::string("a\0b", 3), "a\nb", "a\rb", "a\tb", "a\x7f" "b",
                                 "a\xC2\x85" "b", "a\xE2\x80\xA8" "b", "a\xE2\x80\xA9" "b", "a\xFF" "b"};
  for (const std::string& value : hostile) {
    for (const char* field : {"subject", "correlation", "idempotency_key"}) {
      Json message = valid();
      message[field] = Json(value);
      MailFailure failure = refusal(message);
      EXPECT_EQ(std::string(failure.what()).rfind(std::string(field) + ": ", 0), 0u) << field;
      EXPECT_FALSE(failure.transient);
    }
    Json message = valid();
    message["to"] = {"ok@example.org", value + "@example.org"};
    EXPECT_EQ(std::string(refusal(message).what()).rfind("to[1]: ", 0), 0u);
  }
}

TEST(RenderMail, RefusesWhatWouldBreakAddressesAndParameters) {
  Json message = valid();
  message["to"] = {"Someone <a@example.org>"};
  EXPECT_STREQ(refusal(message).what(), "to[0]: is not a plain mail address");
  message = valid();
  message["to"] = Json::array();
  EXPECT_STREQ(refusal(message).what(), "to: must be a non-empty array");
  message = valid();
  message["correlation"] = "r 42";
  EXPECT_EQ(std::string(refusal(message).what()).rfind("correlation: must be", 0), 0u);
  message = valid();
  message["idempotency_key"] = "k@1";
  EXPECT_EQ(std::string(refusal(message).what()).rfind("idempotency_key: must be", 0), 0u);
  message = valid();
  message.erase("idempotency_key");
  EXPECT_STREQ(refusal(message).what(), "idempotency_key: is required");
  message = valid();
  message["attachments"] = {{{"filename", "a\"; x=\"y.pdf"}, {"content", "x"}}};
  EXPECT_STREQ(refusal(message).what(), "attachments[0].filename: contains a quote, backslash or slash");
  message = valid();
  message["attachments"] = {{{"filename", "a.pdf"}, {"content_type", "text/plain\r\nX: y"}, {"content", "x"}}};
  EXPECT_EQ(std::string(refusal(message).what()).rfind("attachments[0].content_type: ", 0), 0u);
}

TEST(RenderMail, ErrorsNeverQuoteTheValue) {
  Json message = valid();
  message["subject"] = "Amina Benali\n";
  EXPECT_EQ(std::string(refusal(message).what()).find("Amina"), std::string::npos);
}

TEST(MailSender, NeverAuthenticatesWithoutTls) {
  MailSettings plain = settings();
  plain.smtp_port = testing::closed_port();
  plain.username = "guichet";
  plain.password_secret = "smtp.password";
  MailSender sender(plain, [](const std::string&) { return std::optional<std::string>("pw"); });
  try {
    sender.send(valid(), kNow);
    FAIL() << "sent credentials without TLS";
  } catch (const MailFailure& e) {
    EXPECT_FALSE(e.transient);
    EXPECT_STREQ(e.what(), "mail authentication is configured without starttls");
  }
}

TEST(MailSender, UnreachableServerIsTransient) {
  MailSettings unreachable = settings();
  unreachable.smtp_port = testing::closed_port();
  MailSender sender(unreachable, [](const std::string&) { return std::nullopt; });
  try {
    sender.send(valid(), kNow);
    FAIL() << "sent to a closed port";
  } catch (const MailFailure& e) {
    EXPECT_TRUE(e.transient);
  }
}

}  // namespace
}  // namespace guichet::connectors
