#include "hub/isolation/line_channel.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace guichet::isolation {

bool LineChannel::write(const Json& message) {
  std::string line = message.dump(-1, ' ', false, Json::error_handler_t::replace);
  line.push_back('\n');
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(write_fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<std::string> LineChannel::take_line() {
  std::size_t end = buffer_.find('\n');
  if (end == std::string::npos) return std::nullopt;
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 1);
  return line;
}

LineChannel::ReadResult LineChannel::read(std::optional<std::chrono::milliseconds> timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout.value_or(std::chrono::milliseconds(0));
  while (true) {
    if (std::optional<std::string> line = take_line()) {
      Json message = Json::parse(*line, nullptr, false);
      if (message.is_discarded() || !message.is_object()) return {ReadStatus::invalid, {}};
      return {ReadStatus::message, std::move(message)};
    }
    if (buffer_.size() > kMaxLine) return {ReadStatus::invalid, {}};
    int wait_ms = -1;
    if (timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return {ReadStatus::timed_out, {}};
      wait_ms = static_cast<int>(left.count());
    }
    pollfd readable{read_fd_, POLLIN, 0};
    int ready = ::poll(&readable, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return {ReadStatus::closed, {}};
    if (ready == 0) return {ReadStatus::timed_out, {}};
    char chunk[65536];
    ssize_t n = ::read(read_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {ReadStatus::closed, {}};
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace guichet::isolation
