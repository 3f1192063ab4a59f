#include "hub/metrics/metrics.h"

#include <gtest/gtest.h>

namespace guichet::metrics {
namespace {

TEST(Metrics, RendersPrometheusText) {
  Registry registry;
  registry.describe("guichet_dispatch_total", "Delivery attempts by result.", "counter");
  registry.add("guichet_dispatch_total", {{"instance", "caf-95"}, {"result", "sent"}});
  registry.add("guichet_dispatch_total", {{"instance", "caf-95"}, {"result", "sent"}});
  registry.observe_ms("guichet_dispatch_ms", {{"instance", "caf-95"}}, 3);
  registry.gauge("guichet_outbox_depth", "Rows waiting.", [] { return std::vector<std::pair<Labels, double>>{{{}, 7}}; });
  std::string text = registry.render();
  EXPECT_NE(text.find("# TYPE guichet_dispatch_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("guichet_dispatch_total{instance=\"caf-95\",result=\"sent\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("guichet_dispatch_ms_bucket{instance=\"caf-95\",le=\"2\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("guichet_dispatch_ms_bucket{instance=\"caf-95\",le=\"5\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("guichet_dispatch_ms_count{instance=\"caf-95\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("guichet_outbox_depth 7\n"), std::string::npos);
}

TEST(Metrics, EscapesLabelValues) {
  Registry registry;
  registry.add("x", {{"instance", "a\"b\\c\nd"}});
  EXPECT_NE(registry.render().find(R"(x{instance="a\"b\\c\nd"} 1)"), std::string::npos);
}

}  // namespace
}  // namespace guichet::metrics
