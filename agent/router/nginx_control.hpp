#pragma once
// Testing and reloading nginx, however this host runs it.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "agent/config/config.hpp"
#include "agent/router/process_runner.hpp"

namespace fical::agent::router {

/// nginx refused a configuration or a reload; `what()` carries nginx's own words.
class RouterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Validates and reloads nginx's configuration. Abstract: a local nginx (pidfile or
/// argv) and an nginx in a container (docker exec) implement it. Each returns when nginx
/// accepted, and throws RouterError with nginx's words when it did not.
class NginxControl {
 public:
  virtual ~NginxControl() = default;
  virtual void test() = 0;
  virtual void reload() = 0;
  /// Why no nginx is there for reload() to reach, or nullopt (running, or it cannot tell:
  /// a reload command).
  virtual std::optional<std::string> not_running() { return std::nullopt; }
};

/// nginx on this host: test_command through the ProcessRunner; reload by SIGHUP to the
/// master in `pidfile`, or by the configured argv.
class LocalNginx : public NginxControl {
 public:
  LocalNginx(const config::NginxOptions& options, ProcessRunner& runner)
      : options_(options), runner_(runner) {}
  void test() override;
  void reload() override;
  /// With a pidfile: why the master it names is not alive.
  std::optional<std::string> not_running() override;

 private:
  /// The master's pid from the pidfile, or why there is none.
  std::variant<int, std::string> master_pid() const;
  config::NginxOptions options_;
  ProcessRunner& runner_;
};

}  // namespace fical::agent::router
