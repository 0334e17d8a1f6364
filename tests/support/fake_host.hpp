#pragma once
// The engine's host in memory for unit tests: HTTP answers and open ports on cue, free disk
// per path, environment variables, and a clock whose time passes only when the code under
// test sleeps (a 60 s health deadline takes no real time).
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "agent/deploy/clock.hpp"
#include "agent/deploy/host.hpp"

namespace fical::testing {

/// Thread-safe for its calls; set the public fields before the code under test runs.
class FakeHost : public agent::deploy::Host, public agent::deploy::Clock {
 public:
  using Answer = std::function<agent::deploy::HttpProbeResult(const std::string& host, std::uint16_t port,
                                                               const std::string& path)>;
  /// How http_probe answers; unset: 200 "ok".
  Answer answer;
  /// port_accepts' answer for every port.
  bool ports_open = true;
  /// free_bytes by path; other paths have `default_free`.
  std::map<std::string, std::uint64_t> free;
  std::uint64_t default_free = 1ull << 40;
  /// getenv's variables.
  std::map<std::string, std::string> env;

  /// Every http_probe so far, as "GET host:port/path" (and " name=value" per extra header).
  std::vector<std::string> probes() const;
  /// The time slept so far: how far the clock moved.
  std::chrono::milliseconds elapsed() const;

  agent::deploy::HttpProbeResult http_probe(const std::string& host, std::uint16_t port, const std::string& path,
                                            std::chrono::milliseconds timeout,
                                            const agent::deploy::HttpHeaders& headers = {}) override;
  bool port_accepts(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) override;
  std::optional<std::uint64_t> free_bytes(const std::filesystem::path& path) override;
  std::optional<std::string> getenv(const std::string& key) override;
  proto::TimePoint wall_now() override;
  time_point now() override;
  void sleep_for(std::chrono::milliseconds duration) override;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> probes_;
  std::chrono::milliseconds elapsed_{0};
  const time_point steady_start_ = std::chrono::steady_clock::now();
  const proto::TimePoint wall_start_ = proto::now_ms();
};

}  // namespace fical::testing
