// Command-line flags: "--name value" or "--name=value". Names may use '-' or '_' between words
// ("--step-ms", "--error_rate"), so the fault flags can be spelled like their /_faults JSON names.
#ifndef GUICHET_SIM_COMMON_OPTIONS_HPP
#define GUICHET_SIM_COMMON_OPTIONS_HPP

#include <map>
#include <set>
#include <string>
#include <vector>

namespace guichet::sim {

class Options {
 public:
  // Throws std::invalid_argument on a flag not in `known` (spelled with '-'), a missing value or
  // a stray argument.
  Options(const std::vector<std::string>& args, const std::set<std::string>& known);

  std::string text(const std::string& name, const std::string& fallback) const;
  // Throw std::invalid_argument when the value is not a number.
  long integer(const std::string& name, long fallback) const;
  double number(const std::string& name, double fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_OPTIONS_HPP
