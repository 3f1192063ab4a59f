// One line per event on stderr. Callers pass request ids, references and status codes only: the
// requests carry victims' personal data, which must never reach a log.
#ifndef GUICHET_SIM_COMMON_LOG_HPP
#define GUICHET_SIM_COMMON_LOG_HPP

#include <string>

namespace guichet::sim {

// Thread-safe: lines from concurrent handlers never interleave.
void log_line(const std::string& source, const std::string& message);

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_LOG_HPP
