#pragma once
// The machine the engine runs on, besides Docker, nginx and the store: HTTP probes and
// port checks, free disk, the wall clock and the agent's environment variables. Abstract
// so the executor's and health gate's failure branches are tested without them
// (tests/support/fake_host.hpp); monotonic time and sleeping are the Clock's.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "agent/deploy/http_probe.hpp"
#include "proto/time.hpp"

namespace fical::agent::deploy {

/// What the engine asks of its host. Implementations are thread-safe.
class Host {
 public:
  virtual ~Host() = default;
  /// As deploy::http_probe: GET http://host:port/path, bounded by `timeout`; never throws.
  virtual HttpProbeResult http_probe(const std::string& host, std::uint16_t port, const std::string& path,
                                     std::chrono::milliseconds timeout, const HttpHeaders& headers = {}) = 0;
  /// As deploy::port_accepts: a TCP connection is accepted within `timeout`.
  virtual bool port_accepts(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) = 0;
  /// Free bytes for unprivileged writers on the filesystem of `path`; nullopt when unseen.
  virtual std::optional<std::uint64_t> free_bytes(const std::filesystem::path& path) = 0;
  /// The agent's environment variable `key` (env_file values may name them).
  virtual std::optional<std::string> getenv(const std::string& key) = 0;
  /// Wall-clock time, for records (deployed_at, keep_warm's end).
  virtual proto::TimePoint wall_now() = 0;
};

/// The real host: POSIX sockets, statvfs, the process environment, the system clock.
class SystemHost final : public Host {
 public:
  HttpProbeResult http_probe(const std::string& host, std::uint16_t port, const std::string& path,
                             std::chrono::milliseconds timeout, const HttpHeaders& headers = {}) override;
  bool port_accepts(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) override;
  std::optional<std::uint64_t> free_bytes(const std::filesystem::path& path) override;
  std::optional<std::string> getenv(const std::string& key) override;
  proto::TimePoint wall_now() override;
};

}  // namespace fical::agent::deploy
