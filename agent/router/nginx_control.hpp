#pragma once
// Testing and reloading nginx, however this host runs it.
#include <memory>
#include <string>
#include <variant>

#include "agent/config/config.hpp"
#include "agent/router/process_runner.hpp"

namespace fical::agent::router {

/// The outcome of `nginx -t` or a reload: ok, or nginx's own words.
struct NginxResult {
  bool ok = false;
  std::string message;
};

/// Validates and reloads nginx's configuration. Abstract: a local nginx (pidfile or
/// argv) and an nginx in a container (docker exec) implement it.
class NginxControl {
 public:
  virtual ~NginxControl() = default;
  virtual NginxResult test() = 0;
  virtual NginxResult reload() = 0;
  /// Is there an nginx for reload() to reach? ok when it cannot tell (a reload command).
  virtual NginxResult running() { return {true, ""}; }
};

/// nginx on this host: test_command through the ProcessRunner; reload by SIGHUP to the
/// master in `pidfile`, or by the configured argv.
class LocalNginx : public NginxControl {
 public:
  LocalNginx(const config::NginxOptions& options, ProcessRunner& runner)
      : options_(options), runner_(runner) {}
  NginxResult test() override;
  NginxResult reload() override;
  /// With a pidfile: the master it names is alive.
  NginxResult running() override;

 private:
  /// The master's pid from the pidfile, or why there is none.
  std::variant<int, std::string> master_pid() const;
  config::NginxOptions options_;
  ProcessRunner& runner_;
};

}  // namespace fical::agent::router
