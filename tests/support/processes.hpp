#pragma once
// Real processes for tests: children killed on scope exit, a private nginx, HTTP GET.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace fical::testing {

/// A plain HTTP/1.0 answer.
struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, reset, timeout)
  std::string body;
};

/// GET http://127.0.0.1:port/path with a timeout; never throws.
HttpAnswer http_get(std::uint16_t port, const std::string& path,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// Polls `check` every 50 ms until it is true or `timeout` passes.
bool eventually(const std::function<bool()>& check,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// An nginx of the test's own on a free loopback port, with upstreams/ and locations/
/// include dirs like the shared environment's; stopped on destruction.
class PrivateNginx {
 public:
  PrivateNginx();
  ~PrivateNginx();
  std::uint16_t port() const { return port_; }
  std::filesystem::path upstream_dir() const { return dir_.path() / "upstreams"; }
  std::filesystem::path location_dir() const { return dir_.path() / "locations"; }
  std::filesystem::path pidfile() const { return dir_.path() / "nginx.pid"; }
  std::vector<std::string> test_command() const;
  /// Stops nginx as an operator would (graceful quit, then KILL after 5 s): its pidfile goes.
  void stop();
  /// Starts it again on the same port and configuration (the constructor's start).
  void start();
  /// Worker processes the master has now (after a reload, old ones linger briefly).
  int worker_count() const;

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  pid_t master_ = 0;  // read once at start: the pidfile may be gone at teardown
};

/// busybox httpd serving `dir` on 127.0.0.1:port in the foreground.
std::vector<std::string> busybox_httpd(std::uint16_t port, const std::filesystem::path& dir);

}  // namespace fical::testing
