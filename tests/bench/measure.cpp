#include "tests/bench/measure.hpp"

#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

namespace fical::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string served(const testing::PrivateNginx& nginx, const std::string& path) {
  auto body = testing::http_get(nginx.port(), path, std::chrono::seconds(1)).body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body;
}

}  // namespace

bool settled_on(const testing::PrivateNginx& nginx, const std::string& path, const std::string& version) {
  return testing::eventually([&] { return nginx.worker_count() == 1 && served(nginx, path) == version; },
                             std::chrono::seconds(30));
}

bool reload_and_settle(const testing::PrivateNginx& nginx, const std::string& path, const std::string& version) {
  std::ifstream in(nginx.pidfile());
  pid_t master = 0;
  if (!(in >> master) || master <= 1) return false;
  ::kill(master, SIGHUP);
  std::this_thread::sleep_for(milliseconds(200));
  return settled_on(nginx, path, version);
}

Measurement measure(const std::string& name, const testing::PrivateNginx& nginx, const std::string& path,
                    const std::string& new_version, const std::function<CommandResult()>& action) {
  Measurement m;
  m.name = name;
  m.expected_version = new_version;
  testing::LoadGenerator load(nginx.port(), path, 2, std::chrono::seconds(150));
  load.wait_for_successes(20);

  // The watcher asks nginx every 5 ms (fresh connections) until the new version answers.
  std::atomic<bool> stop_watching{false};
  std::atomic<long long> first_new_ms{-1};
  auto started = Clock::now();
  m.started_at = proto::now_ms();
  std::thread watcher([&] {
    auto deadline = started + std::chrono::seconds(120);
    while (!stop_watching && Clock::now() < deadline) {
      if (served(nginx, path) == new_version) {
        first_new_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
        return;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  m.command = action();
  // The command may return before the new version serves (compose does): wait, bounded.
  auto wait_until = Clock::now() + std::chrono::seconds(60);
  while (first_new_ms < 0 && Clock::now() < wait_until) std::this_thread::sleep_for(milliseconds(10));
  stop_watching = true;
  watcher.join();
  if (first_new_ms >= 0) m.to_live = milliseconds(first_new_ms.load());
  // Keep the load on the new version for a moment so a late failure is counted too.
  std::this_thread::sleep_for(milliseconds(500));
  m.load = load.stop();
  return m;
}

}  // namespace fical::bench
