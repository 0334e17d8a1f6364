#pragma once
// One scenario measured under load: the same bounded load through the same nginx for
// every flow, and a watcher that notes when nginx first serves the new version.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "proto/deployment.hpp"
#include "tests/bench/run_command.hpp"
#include "tests/support/load_generator.hpp"
#include "tests/support/processes.hpp"

namespace fical::bench {

/// What one scenario showed.
struct Measurement {
  std::string name;
  std::string expected_version;
  testing::LoadReport load;
  CommandResult command;                           // the user's command (client, compose)
  std::optional<std::chrono::milliseconds> to_live;  // start until nginx serves the new version
  std::optional<proto::Deployment> record;         // fical's deployment record
  proto::TimePoint started_at{};                   // wall clock at the start, to line up with the record
};

/// Starts the load on `path`, runs `action`, waits (bounded) until nginx serves
/// `new_version` and a little longer, then stops the load.
Measurement measure(const std::string& name, const testing::PrivateNginx& nginx, const std::string& path,
                    const std::string& new_version, const std::function<CommandResult()>& action);

/// SIGHUP to nginx's master; waits until one worker generation serves `version` at `path`.
bool reload_and_settle(const testing::PrivateNginx& nginx, const std::string& path, const std::string& version);

/// Waits until nginx has one worker generation and serves `version` at `path`.
bool settled_on(const testing::PrivateNginx& nginx, const std::string& path, const std::string& version);

}  // namespace fical::bench
