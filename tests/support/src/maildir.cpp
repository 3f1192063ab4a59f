#include "guichet/test/maildir.hpp"

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
#include <stdexcept>
#include <thread>
#include <utility>

#include "guichet/test/temp_dir.hpp"

namespace guichet::test {

namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) { return std::tolower(c); });
  return result;
}

// Poco 1.11's MessageHeader decodes RFC 2047 words ("=?UTF-8?Q?...?=") but keeps the folding
// whitespace between two adjacent ones, which RFC 2047 says to drop: a long subject, folded into
// several words, would read with a stray space. Tests compare what the hub wrote, so the top-level
// header block is unfolded and decoded here.
std::string decode_words(const std::string& value) {
  if (value.find("=?") == std::string::npos) {
    return value;
  }
  static const std::regex between_words(R"(\?=[ \t]+=\?)");
  return Poco::Net::MessageHeader::decodeWord(std::regex_replace(value, between_words, "?==?"));
}

void add_header(Headers& headers, const std::string& name, const std::string& value) {
  auto [it, inserted] = headers.emplace(name, value);
  if (!inserted) {
    it->second += ", " + value;
  }
}

Headers parse_header_block(std::string_view block) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t end = block.find('\n', pos);
    std::string_view line = block.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? block.size() : end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
      fields.back().second += line;  // unfolding removes the line break only, not the whitespace
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      fields.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
    }
  }
  Headers headers;
  for (auto& [name, value] : fields) {
    add_header(headers, name, decode_words(Poco::trim(value)));
  }
  return headers;
}

Headers to_headers(const Poco::Net::MessageHeader& source) {
  Headers headers;
  for (const auto& [name, value] : source) {
    add_header(headers, name, value);
  }
  return headers;
}

// Collects every leaf part; MailMessage hands each one over with its transfer encoding undone.
class PartCollector : public Poco::Net::PartHandler {
 public:
  std::vector<MailPart> parts;

  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    MailPart part;
    part.headers = to_headers(header);
    Poco::Net::NameValueCollection parameters;
    std::string media_type;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Type", "text/plain"), media_type, parameters);
    part.content_type = lower(Poco::trim(media_type));
    part.filename = parameters.get("name", "");
    if (header.has("Content-Disposition")) {
      Poco::Net::NameValueCollection disposition;
      std::string kind;
      Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition"), kind, disposition);
      part.filename = disposition.get("filename", part.filename);
    }
    Poco::StreamCopier::copyToString(stream, part.content);
    parts.push_back(std::move(part));
  }
};

}  // namespace

const MailPart* ReceivedMail::attachment(std::string_view filename) const {
  auto it = std::find_if(parts.begin(), parts.end(), [&](const MailPart& part) { return part.filename == filename; });
  return it == parts.end() ? nullptr : &*it;
}

const MailPart* ReceivedMail::text() const {
  auto it = std::find_if(parts.begin(), parts.end(),
                         [](const MailPart& part) { return part.content_type == "text/plain" && part.filename.empty(); });
  return it == parts.end() ? nullptr : &*it;
}

ReceivedMail parse_mail(const std::filesystem::path& file) {
  ReceivedMail mail;
  mail.file = file;
  mail.raw = read_file(file);
  // The header block ends at the first empty line; scripts/mailserver stores LF line endings, a
  // file from elsewhere may have CRLF.
  std::string_view header_block = mail.raw;
  for (std::string_view separator : {"\n\n", "\r\n\r\n"}) {
    if (auto end = mail.raw.find(separator); end != std::string::npos) {
      header_block = header_block.substr(0, end);
      mail.body = mail.raw.substr(end + separator.size());
      break;
    }
  }
  mail.headers = parse_header_block(header_block);

  std::istringstream in(mail.raw);
  Poco::Net::MailMessage message;
  PartCollector collector;
  message.read(in, collector);
  mail.parts = std::move(collector.parts);
  if (!message.isMultipart()) {
    // Poco keeps a single-part body to itself (getContent(), already transfer-decoded) instead of
    // handing it to the part handler; present it as the one part it is.
    MailPart part;
    part.headers = mail.headers;
    Poco::Net::NameValueCollection parameters;
    std::string media_type;
    Poco::Net::MessageHeader::splitParameters(message.get("Content-Type", "text/plain"), media_type, parameters);
    part.content_type = lower(Poco::trim(media_type));
    part.content = message.getContent();
    mail.parts.push_back(std::move(part));
  }
  return mail;
}

Maildir::Maildir(std::filesystem::path root) : root_(std::move(root)) {}

std::vector<std::string> Maildir::addresses() const {
  std::vector<std::string> result;
  if (!std::filesystem::is_directory(root_)) {
    return result;
  }
  for (const auto& entry : std::filesystem::directory_iterator(root_)) {
    if (entry.is_directory() && std::filesystem::is_directory(entry.path() / "new")) {
      result.push_back(entry.path().filename().string());
    }
  }
  std::sort(result.begin(), result.end());
  return result;
}

std::vector<ReceivedMail> Maildir::messages(std::string_view address) const {
  const auto box = root_ / lower(address);
  // A POP3 or IMAP server reading the same Maildir moves a message from new/ to cur/ (renaming it)
  // when it sees it; a file that vanishes between listing and reading means "list again".
  for (int attempt = 0;; ++attempt) {
    std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> files;
    bool vanished = false;
    for (const char* sub : {"new", "cur"}) {
      const auto dir = box / sub;
      if (!std::filesystem::is_directory(dir)) {
        continue;
      }
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        // Maildir readers skip dot-files: they are not messages.
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
          std::error_code error;
          files.emplace_back(entry.last_write_time(error), entry.path());
          vanished = vanished || static_cast<bool>(error);
        }
      }
    }
    // Delivery order: Maildir names start with the second of delivery but their sub-second part
    // is not zero-padded, so the name alone does not sort; the file time (ns) does, the name
    // breaks ties.
    std::sort(files.begin(), files.end());
    std::vector<ReceivedMail> result;
    result.reserve(files.size());
    for (const auto& [time, file] : files) {
      if (vanished) {
        break;
      }
      try {
        result.push_back(parse_mail(file));
      } catch (const std::runtime_error&) {
        if (std::filesystem::exists(file)) {
          throw;  // there but unreadable: a real problem, not a move
        }
        vanished = true;
      }
    }
    if (!vanished || attempt == 5) {
      return result;
    }
  }
}

std::vector<ReceivedMail> Maildir::wait_for_messages(std::string_view address, std::size_t count,
                                                     std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto found = messages(address);
    if (found.size() >= count) {
      return found;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("Maildir " + (root_ / lower(address)).string() + ": " + std::to_string(found.size()) +
                               " message(s) after " + std::to_string(timeout.count()) + " ms, expected " +
                               std::to_string(count));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace guichet::test
