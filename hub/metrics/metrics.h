// Prometheus counters, histograms and gauges, rendered in the text exposition format.
// Label values are instance names, operations and results: never anything about a person.
//
// Thread-safety: every method may be called from any thread.
#ifndef GUICHET_HUB_METRICS_METRICS_H
#define GUICHET_HUB_METRICS_METRICS_H

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace guichet::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  void add(const std::string& name, const Labels& labels, double amount = 1);
  // Latency in milliseconds, in fixed buckets from 0.25 ms to 30 s.
  void observe_ms(const std::string& name, const Labels& labels, double milliseconds);
  // A value computed when /metrics is read (queue depth, overdue requests...).
  using Gauge = std::function<std::vector<std::pair<Labels, double>>()>;
  void gauge(const std::string& name, const std::string& help, Gauge read);
  void describe(const std::string& name, const std::string& help, const std::string& type);

  std::string render() const;

 private:
  struct Histogram {
    std::vector<double> counts;
    double sum = 0;
    double count = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<std::string, std::string>> help_;  // name -> (help, type)
  std::map<std::string, std::map<Labels, double>> counters_;
  std::map<std::string, std::map<Labels, Histogram>> histograms_;
  std::vector<std::pair<std::string, Gauge>> gauges_;
};

}  // namespace guichet::metrics

#endif
