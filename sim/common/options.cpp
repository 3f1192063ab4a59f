#include "common/options.hpp"

#include <algorithm>
#include <stdexcept>

namespace guichet::sim {
namespace {

template <typename Number>
Number parse_number(const std::string& name, const std::string& text,
                    Number (*convert)(const std::string&, std::size_t*)) {
  std::size_t used = 0;
  try {
    const Number value = convert(text, &used);
    if (used == text.size()) return value;
  } catch (const std::logic_error&) {
  }
  throw std::invalid_argument("--" + name + " expects a number, got '" + text + "'");
}

long to_long(const std::string& text, std::size_t* used) { return std::stol(text, used); }
double to_double(const std::string& text, std::size_t* used) { return std::stod(text, used); }

}  // namespace

Options::Options(const std::vector<std::string>& args, const std::set<std::string>& known) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + arg + "'");
    std::string name = arg.substr(2);
    std::string value;
    if (const auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw std::invalid_argument("--" + name + " needs a value");
    }
    std::replace(name.begin(), name.end(), '_', '-');
    if (known.count(name) == 0) throw std::invalid_argument("unknown flag --" + name);
    values_[name] = value;
  }
}

std::string Options::text(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

long Options::integer(const std::string& name, long fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : parse_number<long>(name, it->second, to_long);
}

double Options::number(const std::string& name, double fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : parse_number<double>(name, it->second, to_double);
}

}  // namespace guichet::sim
