#include "hub/inbound/inbound_mail.h"

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

namespace guichet::inbound {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string media_type_of(const Poco::Net::MessageHeader& header) {
  Poco::Net::NameValueCollection parameters;
  std::string type;
  Poco::Net::MessageHeader::splitParameters(header.get("Content-Type", "text/plain"), type, parameters);
  return lower(Poco::trim(type));
}

// Keeps the first plain-text part that is not an attachment; Poco hands it over transfer-decoded.
class TextFinder : public Poco::Net::PartHandler {
 public:
  std::string text;
  bool found = false;

  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string content;
    Poco::StreamCopier::copyToString(stream, content);
    bool attachment = Poco::icompare(header.get("Content-Disposition", ""), 0, 10, "attachment") == 0;
    if (!found && !attachment && media_type_of(header) == "text/plain") {
      text = std::move(content);
      found = true;
    }
  }
};

// Adjacent RFC 2047 words are joined without the whitespace between them (RFC 2047 §6.2), which
// Poco 1.11 keeps.
std::string decode_words(const std::string& value) {
  if (value.find("=?") == std::string::npos) return value;
  static const std::regex between_words(R"(\?=[ \t]+=\?)");
  return Poco::Net::MessageHeader::decodeWord(std::regex_replace(value, between_words, "?==?"));
}

// Bare addresses of an address list: "Name <a@b>, c@d" gives a@b and c@d.
std::vector<std::string> addresses_in(const std::string& list) {
  static const std::regex bracketed(R"(<([^<>@\s]+@[^<>\s]+)>)");
  static const std::regex bare(R"(([^<>@\s,;"]+@[^<>\s,;"]+))");
  std::vector<std::string> found;
  const std::regex& pattern = list.find('<') != std::string::npos ? bracketed : bare;
  for (std::sregex_iterator it(list.begin(), list.end(), pattern), end; it != end; ++it) {
    found.push_back(lower((*it)[1].str()));
  }
  return found;
}

std::vector<std::string> message_ids_in(const std::string& list) {
  static const std::regex id(R"(<[^<>\s]+>)");
  std::vector<std::string> found;
  for (std::sregex_iterator it(list.begin(), list.end(), id), end; it != end; ++it) found.push_back(it->str());
  return found;
}

}  // namespace

InboundMail parse_inbound_mail(std::string_view raw) {
  InboundMail mail;
  Poco::Net::MailMessage message;
  TextFinder finder;
  // Poco 1.11's multipart reader never returns on a part holding the byte 0xFF (it reads as end of
  // file, and it asks again): one such mail would stall the mailbox for good (found by
  // tests/fuzz). 0xFF is never UTF-8 and a rare "ÿ" in Latin-1, so it is read as "?".
  std::string text(raw);
  std::replace(text.begin(), text.end(), '\xff', '?');
  try {
    std::istringstream in{text};
    message.read(in, finder);
  } catch (const Poco::Exception&) {
    // A malformed body still leaves the headers read so far, enough to match the reply.
  } catch (const std::exception&) {
  }
  mail.message_id = Poco::trim(message.get("Message-ID", ""));
  auto from = addresses_in(message.get("From", ""));
  if (!from.empty()) mail.from = from.front();
  mail.subject = decode_words(Poco::trim(message.get("Subject", "")));
  for (const char* name : {"Delivered-To", "To", "Cc"}) {
    for (auto it = message.find(name); it != message.end() && Poco::icompare(it->first, name) == 0; ++it) {
      for (auto& address : addresses_in(it->second)) mail.to.push_back(std::move(address));
    }
  }
  for (const char* name : {"In-Reply-To", "References"}) {
    for (auto& id : message_ids_in(message.get(name, ""))) mail.refs.push_back(std::move(id));
  }
  if (finder.found) {
    mail.text = std::move(finder.text);
  } else if (!message.isMultipart() && media_type_of(message) == "text/plain") {
    // Poco keeps a single-part body to itself, transfer-decoded, instead of handing it over.
    mail.text = message.getContent();
  }
  return mail;
}

std::string correlation_of(const InboundMail& mail, std::string_view mailbox) {
  auto at = mailbox.find('@');
  if (at != std::string_view::npos) {
    std::string local = lower(std::string(mailbox.substr(0, at))) + "+";
    std::string domain = lower(std::string(mailbox.substr(at)));
    for (const auto& address : mail.to) {
      auto address_at = address.find('@');
      if (address.rfind(local, 0) == 0 && address_at != std::string::npos && address.substr(address_at) == domain) {
        std::string tag = address.substr(local.size(), address_at - local.size());
        // Addresses were lower-cased; correlations are minted upper case (Crockford base 32).
        std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return std::toupper(c); });
        if (!tag.empty()) return tag;
      }
    }
  }
  static const std::regex in_subject(R"(\[(GCH-[0-9A-Z]{8})\])");
  std::smatch match;
  if (std::regex_search(mail.subject, match, in_subject)) return match[1].str();
  return {};
}

}  // namespace guichet::inbound
