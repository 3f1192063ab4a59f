#include "hub/connectors/mail_sender.h"

#include "hub/connectors/text.h"
#include "hub/connectors/tls.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureSMTPClientSession.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timestamp.h>

#include <regex>
#include <sstream>
#include <vector>

namespace guichet::connectors {
namespace {

struct Attachment {
  std::string filename, content_type, content;
};

struct OutgoingMail {
  std::vector<std::string> to;
  std::string subject, text, idempotency_key, correlation;
  std::vector<Attachment> attachments;
};

constexpr std::size_t kMaxRecipients = 50;
constexpr std::size_t kMaxHeaderValue = 900;  // RFC 5322 caps a line at 998 bytes

// "SMTP 550 5.1.1": the reply's code, and its enhanced code (RFC 3463) that says why, without the
// reply's text, which may quote addresses.
std::string reply_codes(const Poco::Net::SMTPException& e) {
  std::string codes = "SMTP " + std::to_string(e.code());
  static const std::regex enhanced(R"(\b[245]\.\d{1,3}\.\d{1,3}\b)");
  std::smatch found;
  const std::string& text = e.message();
  if (std::regex_search(text, found, enhanced)) codes += " " + found.str();
  return codes;
}

[[noreturn]] void refuse(const std::string& field, const std::string& why) { throw MailFailure(field + ": " + why, false); }

std::string member(const Json& object, const std::string& field, const std::string& key, bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) refuse(field, "is required");
    return {};
  }
  if (!it->is_string()) refuse(field, "must be a string");
  return it->get<std::string>();
}

// A value bound for a header: one line, no control character, not too long for a header line.
std::string header_value(const Json& object, const std::string& field, const std::string& key, bool required) {
  std::string value = member(object, field, key, required);
  if (required && value.empty()) refuse(field, "must not be empty");
  if (!is_single_line(value)) refuse(field, "contains a line break or control character");
  if (value.size() > kMaxHeaderValue) refuse(field, "is too long for a mail header");
  return value;
}

// Characters of a dot-atom (RFC 5322 atext and '.'), the only ones allowed unquoted in a local part
// or a Message-ID; anything else would need quoting or escaping that agencies' parsers get wrong.
bool is_dot_atom(const std::string& text) {
  static const std::regex pattern(R"(^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$)");
  return std::regex_match(text, pattern);
}

bool is_address(const std::string& text) {
  static const std::regex pattern(R"(^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$)");
  return std::regex_match(text, pattern);
}

// Canonical base64 only: Poco's decoder alone lets a stray '=' or a lone trailing character
// through, which would send the agency something other than what the connector meant.
bool is_canonical_base64(const std::string& text) {
  if (text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    char c = text[i];
    bool letter_or_digit = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!letter_or_digit && c != '+' && c != '/') return false;
  }
  return true;
}

std::string decoded_base64(const std::string& text, const std::string& field) {
  if (!is_canonical_base64(text)) refuse(field, "is not valid base64");
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  std::string bytes;
  Poco::StreamCopier::copyToString(decoder, bytes);
  if (decoder.bad()) refuse(field, "is not valid base64");
  return bytes;
}

// Text goes as "content"; bytes (a PDF) as "content_base64", since a JSON string holds only text.
std::string attachment_content(const Json& item, const std::string& field) {
  bool has_text = item.contains("content"), has_bytes = item.contains("content_base64");
  if (has_text == has_bytes) refuse(field, "needs exactly one of content and content_base64");
  if (has_text) return member(item, field + ".content", "content", true);
  return decoded_base64(member(item, field + ".content_base64", "content_base64", true), field + ".content_base64");
}

bool is_media_type(const std::string& text) {
  static const std::regex pattern(
      R"(^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=[A-Za-z0-9!#$&^_.+-]+)*$)");
  return std::regex_match(text, pattern);
}

OutgoingMail parse_mail(const Json& message) {
  if (!message.is_object()) refuse("message", "must be a JSON object");
  OutgoingMail mail;
  auto to = message.find("to");
  if (to == message.end() || !to->is_array() || to->empty()) refuse("to", "must be a non-empty array");
  if (to->size() > kMaxRecipients) refuse("to", "has too many recipients");
  for (std::size_t i = 0; i < to->size(); ++i) {
    std::string field = "to[" + std::to_string(i) + "]";
    if (!(*to)[i].is_string()) refuse(field, "must be a string");
    std::string address = (*to)[i].get<std::string>();
    if (!is_single_line(address)) refuse(field, "contains a line break or control character");
    if (!is_address(address)) refuse(field, "is not a plain mail address");
    mail.to.push_back(address);
  }
  mail.subject = header_value(message, "subject", "subject", true);
  mail.text = member(message, "text", "text", false);
  mail.idempotency_key = header_value(message, "idempotency_key", "idempotency_key", true);
  if (!is_dot_atom(mail.idempotency_key)) refuse("idempotency_key", "must be letters, digits or !#$%&'*+/=?^_`{|}~.-");
  mail.correlation = header_value(message, "correlation", "correlation", true);
  if (!is_dot_atom(mail.correlation)) refuse("correlation", "must be letters, digits or !#$%&'*+/=?^_`{|}~.-");

  if (auto attachments = message.find("attachments"); attachments != message.end()) {
    if (!attachments->is_array()) refuse("attachments", "must be an array");
    for (std::size_t i = 0; i < attachments->size(); ++i) {
      const Json& item = (*attachments)[i];
      std::string field = "attachments[" + std::to_string(i) + "]";
      if (!item.is_object()) refuse(field, "must be an object");
      Attachment attachment;
      attachment.filename = header_value(item, field + ".filename", "filename", true);
      // Poco quotes the filename parameter without escaping: a quote or backslash would end it.
      if (attachment.filename.find_first_of("\"\\/") != std::string::npos) {
        refuse(field + ".filename", "contains a quote, backslash or slash");
      }
      attachment.content_type = header_value(item, field + ".content_type", "content_type", false);
      if (attachment.content_type.empty()) attachment.content_type = "application/octet-stream";
      if (!is_media_type(attachment.content_type)) refuse(field + ".content_type", "is not a media type");
      attachment.content = attachment_content(item, field);
      mail.attachments.push_back(std::move(attachment));
    }
  }
  return mail;
}

// Splits the hub's own address into local part and domain; it comes from configuration.
std::pair<std::string, std::string> split_mailbox(const std::string& mailbox) {
  if (!is_address(mailbox)) refuse("mail.mailbox", "is not a plain mail address");
  std::size_t at = mailbox.find('@');
  return {mailbox.substr(0, at), mailbox.substr(at + 1)};
}

std::string encoded_if_needed(const std::string& text) {
  return is_printable_ascii(text) ? text : Poco::Net::MailMessage::encodeWord(text, "UTF-8");
}

void build(const MailSettings& settings, const OutgoingMail& mail, int64_t now_ms, Poco::Net::MailMessage& out) {
  if (!is_single_line(settings.from) || !is_printable_ascii(settings.from)) {
    refuse("mail.from", "must be one line of ASCII");
  }
  auto [local, domain] = split_mailbox(settings.mailbox);
  out.setSender(settings.from);
  for (const std::string& address : mail.to) {
    out.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, address));
  }
  out.setSubject(encoded_if_needed(mail.subject));
  out.setDate(Poco::Timestamp(static_cast<Poco::Timestamp::TimeVal>(now_ms) * 1000));
  // The same idempotency key always gives the same Message-ID, so an agency that deduplicates on
  // it sees one message however many times the outbox retried.
  out.set("Message-ID", "<" + mail.idempotency_key + "@" + domain + ">");
  // Replies come back to the hub's mailbox with the correlation in the address, which is how the
  // mailbox reader finds the request they answer.
  out.set("Reply-To", local + "+" + mail.correlation + "@" + domain);

  const std::string text_type = "text/plain; charset=UTF-8";
  if (mail.attachments.empty()) {
    out.setContentType(text_type);
    out.setContent(mail.text, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
    return;
  }
  out.addContent(new Poco::Net::StringPartSource(mail.text, text_type),
                 Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
  for (const Attachment& attachment : mail.attachments) {
    std::string filename = encoded_if_needed(attachment.filename);
    out.addAttachment(filename,
                      new Poco::Net::StringPartSource(attachment.content, attachment.content_type, filename),
                      Poco::Net::MailMessage::ENCODING_BASE64);
  }
}

}  // namespace

std::string render_mail(const MailSettings& settings, const Json& message, int64_t now_ms) {
  Poco::Net::MailMessage mail;
  build(settings, parse_mail(message), now_ms, mail);
  std::ostringstream out;
  mail.write(out);
  return out.str();
}

MailSender::MailSender(MailSettings settings,
                       std::function<std::optional<std::string>(const std::string&)> secret)
    : settings_(std::move(settings)), secret_(std::move(secret)) {}

void MailSender::send(const Json& message, int64_t now_ms) const {
  Poco::Net::MailMessage mail;
  build(settings_, parse_mail(message), now_ms, mail);
  if (!settings_.username.empty() && !settings_.starttls) {
    throw MailFailure("mail authentication is configured without starttls", false);
  }
  std::string password;
  if (!settings_.username.empty()) {
    std::optional<std::string> found = secret_(settings_.password_secret);
    if (!found) throw MailFailure("mail password secret is not configured", false);
    password = *found;
  }
  try {
    Poco::Net::SecureSMTPClientSession session(settings_.smtp_host,
                                               static_cast<Poco::UInt16>(settings_.smtp_port));
    session.setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(settings_.timeout_ms) * 1000));
    session.login();
    if (settings_.starttls) {
      if (!session.startTLS(client_tls_context())) {
        throw MailFailure("mail server does not offer STARTTLS", false);
      }
      if (settings_.username.empty()) {
        session.login();  // EHLO again: the server forgets everything said before TLS
      } else {
        session.login(Poco::Net::SMTPClientSession::AUTH_LOGIN, settings_.username, password);
      }
    }
    session.sendMessage(mail);
    session.close();
  } catch (const Poco::Net::SMTPException& e) {
    bool transient = e.code() / 100 != 5;
    throw MailFailure(reply_codes(e), transient);
  } catch (const Poco::Net::SSLException& e) {
    throw MailFailure("mail server TLS failed: " + e.message(), false);
  } catch (const Poco::TimeoutException&) {
    throw MailFailure("mail server timed out", true);
  } catch (const Poco::Net::ConnectionRefusedException&) {
    throw MailFailure("mail server refused the connection", true);
  } catch (const Poco::Exception& e) {
    throw MailFailure("mail submission failed: " + e.message(), true);
  }
}

}  // namespace guichet::connectors
