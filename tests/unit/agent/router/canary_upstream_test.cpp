#include "agent/router/canary_upstream.hpp"

#include <catch2/catch.hpp>
#include <numeric>

using namespace fical::agent::router;

namespace {

CanarySplit split(int percent, int canary_servers = 1, int stable_servers = 1) {
  CanarySplit s{"acc", "prod", "web", {"blue", "v1", {}}, {"green", "v2", {}}, percent};
  for (int i = 0; i < stable_servers; ++i)
    s.stable.servers.push_back("127.0.0.1:1800" + std::to_string(i));
  for (int i = 0; i < canary_servers; ++i)
    s.canary.servers.push_back("172.20.0." + std::to_string(10 + i) + ":3000");
  return s;
}

int weight_of(const std::vector<WeightedServer>& servers, bool canary) {
  return std::accumulate(servers.begin(), servers.end(), 0, [&](int sum, const WeightedServer& s) {
    return sum + (s.canary == canary ? s.weight : 0);
  });
}

}  // namespace

TEST_CASE("nginx's hash slot is crc32's upper 15 bits modulo the total weight",
          "[router][canary]") {
  // Values from python3: ((zlib.crc32(key) >> 16) & 0x7fff) % 100.
  CHECK(nginx_hash_slot("fical-canary-20", 100) == 0);
  CHECK(nginx_hash_slot("fical-canary-185", 100) == 99);
  CHECK(nginx_hash_slot(steering_key(0, 300), 300) == 0);
  CHECK(nginx_hash_slot(steering_key(299, 300), 300) == 299);
}

TEST_CASE("a split gives the canary its percent of a total that no step changes",
          "[router][canary]") {
  auto ten = split_weights(split(10));
  REQUIRE(ten.size() == 2);
  CHECK(ten[0].canary);  // canary first: it owns the low slots
  CHECK(ten[0].weight == 10);
  CHECK(ten[1].weight == 90);
  // Three canary servers and two stable ones: 100 per server of the larger color.
  auto odd = split_weights(split(10, 3, 2));
  CHECK(split_total_weight(split(10, 3, 2)) == 300);
  CHECK(weight_of(odd, true) == 30);
  CHECK(weight_of(odd, false) == 270);
  // 1% over two canary servers still gives each one a weight of at least 1.
  auto tiny = split_weights(split(1, 2, 1));
  CHECK(tiny[0].weight == 1);
  CHECK(tiny[1].weight == 1);
  for (int percent : {1, 10, 50, 99}) {
    auto servers = split_weights(split(percent, 2, 3));
    CHECK(weight_of(servers, true) + weight_of(servers, false) == 300);
    CHECK(weight_of(servers, true) == 3 * percent);
  }
}

TEST_CASE("growing the canary only moves clients from stable to canary", "[router][canary]") {
  unsigned total = split_total_weight(split(10));
  int at10 = 0, moved_back = 0;
  for (int i = 0; i < 2000; ++i) {
    auto slot =
        nginx_hash_slot("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250), total);
    bool canary10 = slot < static_cast<unsigned>(weight_of(split_weights(split(10)), true));
    bool canary50 = slot < static_cast<unsigned>(weight_of(split_weights(split(50)), true));
    at10 += canary10;
    moved_back += canary10 && !canary50;
  }
  CHECK(moved_back == 0);
  // The hash spreads client addresses evenly enough for the share to match the weight.
  CHECK(at10 >= 2000 * 8 / 100);
  CHECK(at10 <= 2000 * 12 / 100);
}

TEST_CASE("a split outside 1-99 percent or without servers is refused", "[router][canary]") {
  CHECK_THROWS_AS(split_weights(split(0)), std::invalid_argument);
  CHECK_THROWS_AS(split_weights(split(100)), std::invalid_argument);
  CHECK_THROWS_AS(split_weights(split(10, 0, 1)), std::invalid_argument);
  CHECK_THROWS_AS(split_weights(split(10, 1, 0)), std::invalid_argument);
}

TEST_CASE("a canary upstream hashes on the header, cookie or client address", "[router][canary]") {
  auto text = render_canary_upstream(split(10));
  CHECK(text.find("map $cookie_fical_canary $fical_canary_client_acc_prod_web {\n"
                  "    \"\" $remote_addr;\n"
                  "    default $cookie_fical_canary;\n}\n") != std::string::npos);
  CHECK(text.find("map $http_x_fical_canary $fical_canary_key_acc_prod_web {\n"
                  "    always \"" +
                  steering_key(0, 100) +
                  "\";\n"
                  "    never \"" +
                  steering_key(99, 100) +
                  "\";\n"
                  "    default $fical_canary_client_acc_prod_web;\n}\n") != std::string::npos);
  CHECK(text.find("upstream acc-prod-web {\n"
                  "    hash $fical_canary_key_acc_prod_web;\n"
                  "    server 172.20.0.10:3000 weight=10;  # green (canary)\n"
                  "    server 127.0.0.1:18000 weight=90;  # blue (stable)\n"
                  "    keepalive 16;\n}\n") != std::string::npos);
  CHECK(nginx_variable_suffix("a-b-c") == "a_b_c");
}

TEST_CASE("the common file defines the log format and the cookie variable", "[router][canary]") {
  auto text = render_canary_common();
  CHECK(text.find("log_format fical_canary escape=json\n") != std::string::npos);
  for (const char* field :
       {"$msec", "$upstream_addr", "$status", "$upstream_status", "$request_time",
        "$upstream_response_time", "$upstream_connect_time", "$proxy_host"}) {
    CHECK(text.find(field) != std::string::npos);
  }
  CHECK(text.find("map $cookie_fical_canary $fical_canary_cookie {") != std::string::npos);
}
