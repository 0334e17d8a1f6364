#include "agent/api/metrics_registry.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::api;

TEST_CASE("the registry renders counters with escaped labels and collectors", "[api]") {
  MetricsRegistry metrics;
  metrics.describe_counter("x_total", "Things.");
  metrics.increment("x_total", {{"route", "/a"}});
  metrics.increment("x_total", {{"route", "/a"}}, 2);
  metrics.increment("y_total", {{"why", "say \"hi\"\\\n"}});
  metrics.add_collector([](std::string& out) { out += "# TYPE engine_up gauge\nengine_up 1\n"; });
  CHECK(metrics.value("x_total", {{"route", "/a"}}) == 3);
  CHECK(metrics.value("x_total", {{"route", "/b"}}) == 0);
  auto text = metrics.render();
  CHECK(text.find("# HELP x_total Things.\n# TYPE x_total counter\nx_total{route=\"/a\"} 3\n") !=
        std::string::npos);
  CHECK(text.find(R"(y_total{why="say \"hi\"\\\n"} 1)") != std::string::npos);
  CHECK(text.find("engine_up 1\n") != std::string::npos);
}
