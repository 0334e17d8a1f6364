// The strict parser the metrics tests rely on must reject what Prometheus would.
#include "tests/support/prometheus_text.hpp"

#include <catch2/catch.hpp>

using fical::testing::parse_prometheus_text;

TEST_CASE("prometheus parser accepts a well-formed exposition", "[metrics]") {
  auto scrape = parse_prometheus_text(
      "# a comment\n"
      "# HELP c_total Things.\n# TYPE c_total counter\nc_total{a=\"x\\\"y\\\\z\\n\"} 3\nc_total 1 1700000000000\n\n"
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 4.5\nh_count 2\n"
      "# TYPE g gauge\ng -1.5e3\ng{b=\"\"} NaN\n");
  CHECK(scrape.at("c_total").samples.size() == 2);
  CHECK(scrape.at("c_total").samples[0].labels.at("a") == "x\"y\\z\n");
  CHECK(scrape.at("c_total").help == "Things.");
  CHECK(scrape.at("g").samples[0].value == -1500);
}

TEST_CASE("prometheus parser rejects malformed expositions", "[metrics]") {
  const char* bad[] = {
      "c 1\n",                                                   // no TYPE
      "# TYPE c counter\nc 1",                                   // no final newline
      "# TYPE c counter\nc one\n",                               // not a number
      "# TYPE c counter\nc{a=b} 1\n",                            // unquoted label
      "# TYPE c counter\nc{a=\"\\x\"} 1\n",                      // bad escape
      "# TYPE c counter\nc{1a=\"x\"} 1\n",                       // bad label name
      "# TYPE c counter\nc -1\n",                                // negative counter
      "# TYPE c counter\nc 1\nc 2\n",                            // repeated series
      "# TYPE c counter\nc 1\n# TYPE c counter\n",               // TYPE after samples
      "# TYPE c counter\n# TYPE d gauge\nc 1\nd 1\nc{x=\"1\"} 1\n",  // split family
      "# TYPE c summaryish\n",                                   // unknown type
      "# TYPE c counter\nc  1\n",                                // two spaces
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",  // not cumulative
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",                          // no +Inf
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",                       // +Inf != count
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n",                                // no _sum
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_THROWS(parse_prometheus_text(text));
  }
}
