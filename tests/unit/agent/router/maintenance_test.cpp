#include "agent/router/maintenance.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::router;

namespace {

Maintenance maintenance() {
  Maintenance m;
  m.app = "acc";
  m.env = "prod";
  m.message = "Back at 10:00 <UTC> & $later";
  m.retry_after = std::chrono::minutes(10);
  m.verify_secret = "0123456789abcdefABCDEF";
  m.services.push_back({"web", {"172.20.0.7:3000"}, "127.70.1.2:7079"});
  return m;
}

}  // namespace

TEST_CASE("a maintenance address is a stable loopback address off 127.0.0.1",
          "[router][maintenance]") {
  auto a = maintenance_address("acc-prod-web", 7079, {});
  CHECK(a == maintenance_address("acc-prod-web", 7079, {}));
  CHECK(a != maintenance_address("acc-prod-api", 7079, {}));
  CHECK(a.rfind("127.", 0) == 0);
  CHECK(a.substr(a.size() - 5) == ":7079");
  int second = std::stoi(a.substr(4, a.find('.', 4) - 4));
  CHECK(second >= 64);
  CHECK(second <= 127);
  auto other = maintenance_address("acc-prod-web", 7079, {a});
  CHECK(other != a);
  CHECK(maintenance_address("acc-prod-web", 7079, {a, other}) != other);
}

TEST_CASE("the maintenance message cannot reach nginx as syntax or a variable",
          "[router][maintenance]") {
  CHECK(html_text("a<b>&\"'$x\\\n") == "a&lt;b&gt;&amp;&quot;&#39;&#36;x&#92; ");
}

TEST_CASE("maintenance answers 503 with Retry-After and passes the verify header",
          "[router][maintenance]") {
  auto m = maintenance();
  CHECK(maintenance_file_name("acc", "prod") == "_fical-maintenance-acc-prod.conf");
  auto text = render_maintenance_servers(m);
  CHECK(text.find("upstream acc-prod-web--live {\n    server 172.20.0.7:3000;\n") !=
        std::string::npos);
  CHECK(text.find("    listen 127.70.1.2:7079;\n") != std::string::npos);
  CHECK(text.find("if ($http_x_fical_verify = \"0123456789abcdefABCDEF\") { return 418; }") !=
        std::string::npos);
  CHECK(text.find("error_page 418 = @live;") != std::string::npos);
  CHECK(text.find("add_header Retry-After 600 always;") != std::string::npos);
  CHECK(text.find("return 503 \"") != std::string::npos);
  CHECK(text.find("Back at 10:00 &lt;UTC&gt; &amp; &#36;later") != std::string::npos);
  CHECK(text.find("proxy_pass http://acc-prod-web--live;") != std::string::npos);
  CHECK(render_maintenance_upstream(m, m.services[0]) ==
        "# Written by fical-agent; do not edit (it is replaced when maintenance ends).\n"
        "# app=acc env=prod service=web maintenance: see _fical-maintenance-acc-prod.conf\n"
        "upstream acc-prod-web {\n    server 127.70.1.2:7079;\n    keepalive 16;\n}\n");
}

TEST_CASE("an operator's page replaces the built-in one", "[router][maintenance]") {
  auto m = maintenance();
  m.page_file = "/etc/fical/maintenance.html";
  auto text = render_maintenance_servers(m);
  CHECK(text.find("error_page 503 /_fical_maintenance.html;") != std::string::npos);
  CHECK(text.find("alias /etc/fical/maintenance.html;") != std::string::npos);
  CHECK(text.find("        return 503;\n") != std::string::npos);
  CHECK(text.find("Back at") == std::string::npos);
}

TEST_CASE("maintenance refuses what it cannot write safely", "[router][maintenance]") {
  auto m = maintenance();
  m.verify_secret = "short";
  CHECK_THROWS_AS(render_maintenance_servers(m), std::invalid_argument);
  m = maintenance();
  m.verify_secret = "0123456789abcdef\"; }";
  CHECK_THROWS_AS(render_maintenance_servers(m), std::invalid_argument);
  m = maintenance();
  m.page_file = "/etc/x; include /etc/shadow";
  CHECK_THROWS_AS(render_maintenance_servers(m), std::invalid_argument);
  m = maintenance();
  m.services[0].address = "10.0.0.1:80";
  CHECK_THROWS_AS(render_maintenance_servers(m), std::invalid_argument);
}
