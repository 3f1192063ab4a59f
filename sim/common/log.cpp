#include "common/log.hpp"

#include "common/time_format.hpp"

#include <iostream>
#include <mutex>

namespace guichet::sim {

void log_line(const std::string& source, const std::string& message) {
  static std::mutex mutex;
  const std::string line = format_rfc3339(now_ms()) + " " + source + " " + message + "\n";
  std::lock_guard lock(mutex);
  std::cerr << line << std::flush;
}

}  // namespace guichet::sim
