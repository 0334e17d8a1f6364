// The canary and maintenance files against a real nginx: `nginx -t` accepts them, the
// split's share and stickiness hold over 2000 clients, the tester header picks a color,
// the fical_canary log attributes every request, and maintenance answers 503 except to
// the verify header. Its own nginx and backends, on loopback only; every wait is bounded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "agent/canary/access_record.hpp"
#include "agent/canary/log_follower.hpp"
#include "agent/canary/window_stats.hpp"
#include "agent/router/canary_upstream.hpp"
#include "agent/router/maintenance.hpp"
#include "agent/router/upstream.hpp"
#include "tests/support/processes.hpp"

using namespace fical::agent;
using namespace fical::testing;

namespace {

struct Answer {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
};

/// GET with extra header lines ("Name: value\r\n"...), HTTP/1.0, 5 s timeouts.
Answer get(std::uint16_t port, const std::string& path, const std::string& headers = "") {
  Answer answer;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return answer;
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string text;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    auto request = "GET " + path + " HTTP/1.0\r\nHost: canary.test\r\n" + headers + "\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t got;
      while ((got = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
        text.append(buffer, static_cast<std::size_t>(got));
    }
  }
  ::close(fd);
  auto split = text.find("\r\n\r\n");
  if (text.rfind("HTTP/1.", 0) != 0 || split == std::string::npos) return answer;
  answer.status = std::stoi(text.substr(9, 3));
  answer.head = text.substr(0, split + 2);  // each header line with its CRLF
  answer.body = text.substr(split + 4);
  return answer;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

/// The processes whose parent is `master` (nginx's workers), from /proc.
std::set<pid_t> children_of(pid_t master) {
  std::set<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close = line.rfind(')');  // "pid (comm) state ppid ..."
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    pid_t parent = 0;
    rest >> state >> parent;
    if (parent == master) out.insert(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

/// A private nginx with two color backends (nginx server blocks answering their color),
/// the canary route at /c/ and an env in maintenance at /m/.
struct CanaryNginx {
  PrivateNginx nginx;
  std::uint16_t blue = free_port();
  std::uint16_t green = free_port();
  std::filesystem::path log = nginx.upstream_dir().parent_path() / "logs" / "canary.json";

  std::string address(std::uint16_t port) const { return "127.0.0.1:" + std::to_string(port); }

  CanaryNginx() {
    write_file(nginx.upstream_dir() / "zz-backends.conf",
               "server { listen " + address(blue) +
                   "; location / { return 200 \"blue\"; } }\n"
                   "server { listen " +
                   address(green) + "; location / { return 200 \"green\"; } }\n");
    write_file(nginx.upstream_dir() / std::string(router::kCommonFileName),
               router::render_canary_common());
    write_file(nginx.location_dir() / "canary.conf",
               "location /c/ {\n  proxy_pass http://rt-test-web;\n  add_header Set-Cookie "
               "$fical_canary_cookie;\n"
               "  access_log " +
                   log.string() +
                   " fical_canary if=$upstream_addr;\n}\n"
                   "location /m/ {\n  proxy_pass http://rt-maint-web;\n}\n");
  }

  router::CanarySplit split(int percent) const {
    return {
        "rt",   "test", "web", {"blue", "v1", {address(blue)}}, {"green", "v2", {address(green)}},
        percent};
  }

  /// nginx -t, then SIGHUP; true once the workers of the old configuration have exited
  /// (until then they still accept requests and answer them the old way) and ten requests
  /// in a row show the new one.
  bool load(const std::function<bool()>& loaded) {
    auto test = run_to_end(nginx.test_command(), {}, std::chrono::seconds(20));
    INFO(test.err);
    REQUIRE(test.exit_code == 0);
    std::ifstream pidfile(nginx.pidfile());
    pid_t master = 0;
    pidfile >> master;
    REQUIRE(master > 0);
    auto old_workers = children_of(master);
    REQUIRE_FALSE(old_workers.empty());
    REQUIRE(::kill(master, SIGHUP) == 0);
    return eventually(
        [&] {
          auto now = children_of(master);
          for (auto pid : old_workers) {
            if (now.count(pid)) return false;
          }
          for (int i = 0; i < 10; ++i) {
            if (!loaded()) return false;
          }
          return true;
        },
        std::chrono::seconds(20));
  }

  /// The clients (by cookie) that got green.
  std::set<int> green_clients(int clients) const {
    std::set<int> out;
    for (int i = 0; i < clients; ++i) {
      auto answer =
          get(nginx.port(), "/c/", "Cookie: fical_canary=client-" + std::to_string(i) + "\r\n");
      if (answer.body == "green") out.insert(i);
    }
    return out;
  }
};

void write_canary(CanaryNginx& n, int percent) {
  write_file(n.nginx.upstream_dir() / "rt-test-web.conf",
             router::render_canary_upstream(n.split(percent)));
}

void write_maintenance(CanaryNginx& n) {
  router::Maintenance m;
  m.app = "rt";
  m.env = "maint";
  m.message = "Back soon";
  m.retry_after = std::chrono::seconds(120);
  m.verify_secret = "verifysecret0123456789";
  m.services.push_back(
      {"web", {n.address(n.blue)}, router::maintenance_address("rt-maint-web", free_port(), {})});
  write_file(n.nginx.upstream_dir() / router::maintenance_file_name("rt", "maint"),
             router::render_maintenance_servers(m));
  write_file(n.nginx.upstream_dir() / "rt-maint-web.conf",
             router::render_maintenance_upstream(m, m.services[0]));
}

}  // namespace

TEST_CASE("nginx splits a canary by weight, sticky and monotone, and logs each try",
          "[canary][nginx]") {
  CanaryNginx n;
  write_canary(n, 10);
  write_maintenance(n);
  canary::LogFollower follower(n.log.string());
  REQUIRE(n.load(
      [&] { return get(n.nginx.port(), "/c/", "X-Fical-Canary: always\r\n").body == "green"; }));

  for (int i = 0; i < 20; ++i) {
    CHECK(get(n.nginx.port(), "/c/", "X-Fical-Canary: always\r\n").body == "green");
    CHECK(get(n.nginx.port(), "/c/", "X-Fical-Canary: never\r\nCookie: fical_canary=client-1\r\n")
              .body == "blue");
  }
  auto first = get(n.nginx.port(), "/c/");
  CHECK(first.head.find("Set-Cookie: fical_canary=127.0.0.1;") != std::string::npos);
  CHECK(get(n.nginx.port(), "/c/", "Cookie: fical_canary=127.0.0.1\r\n").body == first.body);
  CHECK(get(n.nginx.port(), "/c/", "Cookie: fical_canary=x\r\n").head.find("Set-Cookie") ==
        std::string::npos);

  constexpr int kClients = 2000;
  auto at10 = n.green_clients(kClients);
  CHECK(at10.size() >= kClients * 5 / 100);
  CHECK(at10.size() <= kClients * 15 / 100);
  CHECK(n.green_clients(200) ==
        std::set<int>(at10.begin(), at10.lower_bound(200)));  // each kept its color

  // What nginx logged, attributed by address, matches what the clients saw.
  canary::WindowTally tally({{n.address(n.green)}, {n.address(n.blue)}, "rt-test-web", 0, 1e300});
  std::size_t lines = 0;
  CHECK(eventually(
      [&] {
        for (auto& line : follower.poll().lines) {
          if (auto record = canary::parse_access_line(line)) tally.add(*record);
          ++lines;
        }
        return tally.canary().requests + tally.stable().requests >= 2000;
      },
      std::chrono::seconds(30)));
  CHECK(tally.canary().requests >= at10.size());
  CHECK(tally.canary().errors == 0);
  CHECK(tally.stable().requests > tally.canary().requests);

  // A client whose slot is at 30% of the split is on stable at 10% and on the canary at
  // 50%: one request tells the configurations apart (a cheap check stays quick on a
  // loaded machine).
  auto total = router::split_total_weight(n.split(50));
  auto at30 = "Cookie: fical_canary=" + router::steering_key(total * 3 / 10, total) + "\r\n";
  CHECK(get(n.nginx.port(), "/c/", at30).body == "blue");
  write_canary(n, 50);
  REQUIRE(n.load([&] { return get(n.nginx.port(), "/c/", at30).body == "green"; }));
  auto at50 = n.green_clients(kClients);
  CHECK(at50.size() >= kClients * 45 / 100);
  CHECK(at50.size() <= kClients * 55 / 100);
  std::vector<int> moved_back;
  std::set_difference(at10.begin(), at10.end(), at50.begin(), at50.end(),
                      std::back_inserter(moved_back));
  CHECK(moved_back.empty());
}

TEST_CASE("nginx answers an env in maintenance with 503 except to the verify header",
          "[canary][nginx]") {
  CanaryNginx n;
  write_canary(n, 10);
  write_maintenance(n);
  REQUIRE(n.load([&] { return get(n.nginx.port(), "/m/").status == 503; }));
  auto page = get(n.nginx.port(), "/m/");
  CHECK(page.head.find("\r\nRetry-After: 120\r\n") != std::string::npos);
  CHECK(page.head.find("\r\nCache-Control: no-store\r\n") != std::string::npos);
  CHECK(page.body.find("Back soon") != std::string::npos);
  auto verify = get(n.nginx.port(), "/m/", "X-Fical-Verify: verifysecret0123456789\r\n");
  CHECK(verify.status == 200);
  CHECK(verify.body == "blue");
  CHECK(get(n.nginx.port(), "/m/", "X-Fical-Verify: wrong\r\n").status == 503);
  // The canary env behind the same server block is untouched.
  CHECK(get(n.nginx.port(), "/c/", "X-Fical-Canary: always\r\n").body == "green");
}
