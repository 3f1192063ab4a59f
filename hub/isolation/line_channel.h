// One JSON object per line over a pair of pipe file descriptors: the protocol between the hub and
// a connector host (see connector_host_main.cpp for the messages).
//
// nlohmann's dump() escapes every control character, so a serialised value never contains a raw
// newline and a line is always exactly one message. Lines longer than kMaxLine are refused: a
// connector cannot make its peer buffer without bound.
//
// Thread-safety: none; the owner serialises reads and writes.
#ifndef GUICHET_HUB_ISOLATION_LINE_CHANNEL_H
#define GUICHET_HUB_ISOLATION_LINE_CHANNEL_H

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace guichet::isolation {

using Json = nlohmann::json;

class LineChannel {
 public:
  static constexpr std::size_t kMaxLine = 16 * 1024 * 1024;

  // Does not own the descriptors.
  LineChannel(int read_fd, int write_fd) : read_fd_(read_fd), write_fd_(write_fd) {}

  // False when the peer is gone (EPIPE) or the write failed.
  bool write(const Json& message);

  enum class ReadStatus { message, closed, timed_out, invalid };
  struct ReadResult {
    ReadStatus status;
    Json message;
  };
  // Waits at most `timeout` for the next line (std::nullopt: forever). closed: end of file or a
  // read error; invalid: a line that is not a JSON object, or too long.
  ReadResult read(std::optional<std::chrono::milliseconds> timeout);

 private:
  std::optional<std::string> take_line();

  int read_fd_;
  int write_fd_;
  std::string buffer_;
};

}  // namespace guichet::isolation

#endif  // GUICHET_HUB_ISOLATION_LINE_CHANNEL_H
