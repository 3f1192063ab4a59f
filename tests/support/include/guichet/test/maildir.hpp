#pragma once
// Maildir: a read-only view of a Maildir root as scripts/mailserver fills it, one Maildir per
// recipient: <root>/<address, lower-cased>/{tmp,new,cur}. Only new/ and cur/ are read: a file in
// tmp/ is a delivery in progress, not a message (the Maildir protocol). Reading never moves or
// marks a message, so a test may read the same box again and again. Holds only the root path: copy
// it freely; safe to use from several threads.
//
// ReceivedMail: one stored message, parsed with Poco::Net::MailMessage. `headers` hold the
// top-level header fields with RFC 2047 words decoded (so a subject reads as the hub wrote it);
// `raw` is the file as stored and `body` the part after the header block, still MIME-encoded;
// `parts` are the leaf MIME parts with their transfer encoding (base64, quoted-printable) undone,
// one part for a message that is not multipart.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "guichet/test/headers.hpp"

namespace guichet::test {

struct MailPart {
  Headers headers;
  std::string content_type;  // media type without parameters, lower-cased, e.g. "application/json"
  std::string filename;      // from Content-Disposition or Content-Type "name"; "" for inline text
  std::string content;       // decoded bytes
};

struct ReceivedMail {
  std::filesystem::path file;
  Headers headers;
  std::string raw;
  std::string body;
  std::vector<MailPart> parts;

  std::string header(std::string_view name) const { return header_value(headers, name); }
  std::string message_id() const { return header("Message-ID"); }
  std::string subject() const { return header("Subject"); }
  const MailPart* attachment(std::string_view filename) const;  // nullptr when absent
  const MailPart* text() const;                                 // first text/plain part, or nullptr
};

class Maildir {
 public:
  explicit Maildir(std::filesystem::path root);

  const std::filesystem::path& root() const noexcept { return root_; }
  // The recipient addresses that have a Maildir, sorted.
  std::vector<std::string> addresses() const;
  // The messages delivered to address (matched case-insensitively), oldest first; empty when none.
  std::vector<ReceivedMail> messages(std::string_view address) const;
  // Polls until address holds at least count messages and returns them; throws
  // std::runtime_error on timeout. For deliveries that happen asynchronously (the hub's dispatch).
  std::vector<ReceivedMail> wait_for_messages(std::string_view address, std::size_t count,
                                              std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

 private:
  std::filesystem::path root_;
};

// Parses one stored message; exposed for tests that read a file the server did not write.
ReceivedMail parse_mail(const std::filesystem::path& file);

}  // namespace guichet::test
