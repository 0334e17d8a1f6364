#pragma once
// Switching traffic: upstream files written atomically, `nginx -t`, reload, and the
// previous files restored when nginx refuses. An env in maintenance gets the maintenance
// files (maintenance.hpp) from every write, whoever asks for it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "agent/router/nginx_control.hpp"
#include "agent/router/upstream.hpp"

namespace fical::agent::router {

/// What every env's maintenance page shares: nginx.maintenance_port and _page, and the
/// agent's verify secret.
struct MaintenanceOptions {
  std::uint16_t port = 7079;
  std::string page_file;      // as nginx sees it; empty: the built-in page
  std::string verify_secret;  // 16-128 of [A-Za-z0-9]
};

/// One env's maintenance page as the operator set it.
struct MaintenancePage {
  std::string message;
  std::chrono::seconds retry_after{600};
  bool operator==(const MaintenancePage&) const = default;
};

/// One file of upstream_dir by name ("acc-prod-web.conf", "_fical.conf") and its text:
/// what a canary split (canary_upstream.hpp) is written as.
struct UpstreamFile {
  std::string name;
  std::string text;
};

/// What one environment's upstream files should be: `targets` as apply() writes them
/// (its maintenance files included), or while a canary splits it, `split` (canary_routes.hpp)
/// written as it is. An env in maintenance keeps its page: its targets are written, not
/// its split. `common` files (_fical.conf) are written as they are in every case.
struct EnvUpstreams {
  std::string app, env;
  std::vector<UpstreamTarget> targets;
  std::vector<UpstreamFile> split;
  std::vector<UpstreamFile> common;
};

/// Owns fical's files in upstream_dir. Thread-safe: one switch at a time, because
/// `nginx -t` and the reload cover every environment's files at once.
class UpstreamRouter {
 public:
  UpstreamRouter(std::filesystem::path upstream_dir, NginxControl& nginx)
      : dir_(std::move(upstream_dir)), nginx_(nginx) {}

  /// Writes every target's file, tests and reloads nginx. On failure restores the files
  /// as they were (removing ones that did not exist) and throws RouterError.
  void apply(const std::vector<UpstreamTarget>& targets);
  /// As apply, for one environment's files during a canary (EnvUpstreams says which).
  void apply_env(const EnvUpstreams& env);

  /// Under the same lock as apply, so a refresh and a switch never interleave: asks `decide`
  /// for the targets (nullopt: leave them alone) and applies them when a file differs.
  /// Returns whether it changed anything; throws RouterError like apply.
  bool refresh(const std::function<std::optional<std::vector<UpstreamTarget>>()>& decide);
  /// refresh() for one environment's files (the route keeper: a canary's split or not).
  bool refresh_env(const std::function<std::optional<EnvUpstreams>()>& decide);
  /// refresh() for files given by name and text, written as they are (_fical.conf).
  bool refresh_files(const std::function<std::optional<std::vector<UpstreamFile>>()>& decide);
  /// The text of upstream_dir/name now, or std::nullopt.
  std::optional<std::string> current_file(const std::string& name) const;

  /// Writes the files of targets that have none yet, without testing or reloading nginx:
  /// a site config can then name every upstream before anything is deployed. Returns how
  /// many it wrote.
  int write_missing(const std::vector<UpstreamTarget>& targets);
  /// write_missing for files given by name and text (_fical.conf before the first nginx -t).
  int write_missing(const std::vector<UpstreamFile>& files);

  /// The text of a target's file now, or std::nullopt when there is none.
  std::optional<std::string> current(const UpstreamTarget& target) const;

  /// `nginx -t` on the configuration as it is (preflight); throws RouterError when it fails.
  void test_current();
  /// Why nginx is not there for a reload to reach (NginxControl::not_running), or nullopt.
  std::optional<std::string> nginx_not_running() { return nginx_.not_running(); }

  const std::filesystem::path& dir() const { return dir_; }

  /// Whether a file `targets` need (their upstreams, and their envs' maintenance files)
  /// differs from what is there.
  bool differs(const std::vector<UpstreamTarget>& targets);

  // Maintenance mode. While app/env is in maintenance, every write of its targets (apply,
  // refresh) writes the maintenance upstreams and _fical-maintenance-{app}-{env}.conf with
  // `@live` at the targets' servers; otherwise that file is removed.
  void set_maintenance_options(MaintenanceOptions options);
  /// At start, from the durable state: app/env is in maintenance; writes nothing (the
  /// reconcile and the route keeper do).
  void restore_maintenance(const std::string& app, const std::string& env, MaintenancePage page);
  /// Turns maintenance on (or changes its page): writes the env's files for `targets` (every
  /// routed service, at the live color), one nginx -t and reload. On failure the files and
  /// the mode are as before, and it throws RouterError.
  void start_maintenance(const std::string& app, const std::string& env, MaintenancePage page,
                         const std::vector<UpstreamTarget>& targets);
  /// Turns it off: the plain upstreams of `targets`, the maintenance file removed; like
  /// start_maintenance on failure.
  void end_maintenance(const std::string& app, const std::string& env, const std::vector<UpstreamTarget>& targets);
  bool in_maintenance(const std::string& app, const std::string& env);
  /// The secret fical's verify request sends in kVerifyHeader (never log it).
  std::string verify_secret();

 private:
  /// Each file's wanted text; nullopt: the file must not exist.
  using Files = std::vector<std::pair<std::filesystem::path, std::optional<std::string>>>;
  Files wanted_locked(const std::vector<UpstreamTarget>& targets);
  Files wanted_locked(const EnvUpstreams& env);
  Files as_is(const std::vector<UpstreamFile>& files) const;
  bool differs_locked(const Files& files) const;
  void apply_locked(const Files& files);
  /// The refreshes' end: applies `files` when one differs from what is there; whether it did.
  bool apply_if_differs_locked(const Files& files);
  /// Switches app/env's mode to `page` (nullopt: off) and applies; restores the mode on failure.
  void switch_maintenance(const std::string& app, const std::string& env, std::optional<MaintenancePage> page,
                          const std::vector<UpstreamTarget>& targets);

  std::filesystem::path dir_;
  NginxControl& nginx_;
  std::mutex mutex_;  // the files, and the members below
  MaintenanceOptions maintenance_options_;
  std::map<std::pair<std::string, std::string>, MaintenancePage> maintenance_;  // app/env in maintenance
  std::map<std::string, std::string> maintenance_addresses_;  // upstream name -> its loopback server
};

}  // namespace fical::agent::router
