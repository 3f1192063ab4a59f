#include "hub/metrics/metrics.h"

#include <sstream>

namespace guichet::metrics {
namespace {

const std::vector<double> kBucketsMs = {0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};

std::string escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string render_labels(const Labels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    out += (i ? "," : "") + labels[i].first + "=\"" + escape(labels[i].second) + "\"";
  }
  if (!extra.empty()) out += (labels.empty() ? "" : ",") + extra;
  return out + "}";
}

std::string number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

void Registry::add(const std::string& name, const Labels& labels, double amount) {
  std::lock_guard lock(mutex_);
  counters_[name][labels] += amount;
}

void Registry::observe_ms(const std::string& name, const Labels& labels, double milliseconds) {
  std::lock_guard lock(mutex_);
  Histogram& h = histograms_[name][labels];
  if (h.counts.empty()) h.counts.assign(kBucketsMs.size(), 0);
  for (size_t i = 0; i < kBucketsMs.size(); ++i) {
    if (milliseconds <= kBucketsMs[i]) h.counts[i] += 1;
  }
  h.sum += milliseconds;
  h.count += 1;
}

void Registry::gauge(const std::string& name, const std::string& help, Gauge read) {
  std::lock_guard lock(mutex_);
  help_[name] = {help, "gauge"};
  gauges_.emplace_back(name, std::move(read));
}

void Registry::describe(const std::string& name, const std::string& help, const std::string& type) {
  std::lock_guard lock(mutex_);
  help_[name] = {help, type};
}

std::string Registry::render() const {
  std::vector<std::pair<std::string, Gauge>> gauges;
  std::ostringstream out;
  auto header = [&](const std::string& name) {
    auto it = help_.find(name);
    if (it == help_.end()) return;
    out << "# HELP " << name << ' ' << it->second.first << "\n# TYPE " << name << ' ' << it->second.second << '\n';
  };
  {
    std::lock_guard lock(mutex_);
    gauges = gauges_;
    for (const auto& [name, series] : counters_) {
      header(name);
      for (const auto& [labels, value] : series) out << name << render_labels(labels) << ' ' << number(value) << '\n';
    }
    for (const auto& [name, series] : histograms_) {
      header(name);
      for (const auto& [labels, h] : series) {
        for (size_t i = 0; i < kBucketsMs.size(); ++i) {
          out << name << "_bucket" << render_labels(labels, "le=\"" + number(kBucketsMs[i]) + "\"") << ' '
              << number(h.counts[i]) << '\n';
        }
        out << name << "_bucket" << render_labels(labels, "le=\"+Inf\"") << ' ' << number(h.count) << '\n';
        out << name << "_sum" << render_labels(labels) << ' ' << number(h.sum) << '\n';
        out << name << "_count" << render_labels(labels) << ' ' << number(h.count) << '\n';
      }
    }
  }
  // Gauges read the store: outside the lock, so a slow read never blocks a counter update.
  for (const auto& [name, read] : gauges) {
    {
      std::lock_guard lock(mutex_);
      header(name);
    }
    for (const auto& [labels, value] : read()) out << name << render_labels(labels) << ' ' << number(value) << '\n';
  }
  return out.str();
}

}  // namespace guichet::metrics
