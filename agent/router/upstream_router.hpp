#pragma once
// Switching traffic: upstream files written atomically, `nginx -t`, reload, and the
// previous files restored when nginx refuses.
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/router/nginx_control.hpp"
#include "agent/router/upstream.hpp"

namespace fical::agent::router {

/// One file of upstream_dir by name ("acc-prod-web.conf", "_fical.conf") and its text:
/// what a canary split (canary_upstream.hpp) is written as.
struct UpstreamFile {
  std::string name;
  std::string text;
};

/// Each target as the file apply() writes for it.
std::vector<UpstreamFile> files_of(const std::vector<UpstreamTarget>& targets);

/// Owns fical's files in upstream_dir. Thread-safe: one switch at a time, because
/// `nginx -t` and the reload cover every environment's files at once.
class UpstreamRouter {
 public:
  UpstreamRouter(std::filesystem::path upstream_dir, NginxControl& nginx)
      : dir_(std::move(upstream_dir)), nginx_(nginx) {}

  /// Writes every target's file, tests and reloads nginx. On failure restores the files
  /// as they were (removing ones that did not exist) and throws RouterError.
  void apply(const std::vector<UpstreamTarget>& targets);
  /// As apply, for files given by name and text (a canary's split and _fical.conf).
  void apply_files(const std::vector<UpstreamFile>& files);

  /// Under the same lock as apply, so a refresh and a switch never interleave: asks `decide`
  /// for the targets (nullopt: leave them alone) and applies them when a file differs.
  /// Returns whether it changed anything; throws RouterError like apply.
  bool refresh(const std::function<std::optional<std::vector<UpstreamTarget>>()>& decide);
  /// refresh() for files given by name and text.
  bool refresh_files(const std::function<std::optional<std::vector<UpstreamFile>>()>& decide);
  /// The text of upstream_dir/name now, or std::nullopt.
  std::optional<std::string> current_file(const std::string& name) const;

  /// Writes the files of targets that have none yet, without testing or reloading nginx:
  /// a site config can then name every upstream before anything is deployed. Returns how
  /// many it wrote.
  int write_missing(const std::vector<UpstreamTarget>& targets);

  /// The text of a target's file now, or std::nullopt when there is none.
  std::optional<std::string> current(const UpstreamTarget& target) const;

  /// `nginx -t` on the configuration as it is (preflight); throws RouterError when it fails.
  void test_current();
  /// Why nginx is not there for a reload to reach (NginxControl::not_running), or nullopt.
  std::optional<std::string> nginx_not_running() { return nginx_.not_running(); }

  const std::filesystem::path& dir() const { return dir_; }

 private:
  void apply_locked(const std::vector<UpstreamFile>& files);

  std::filesystem::path dir_;
  NginxControl& nginx_;
  std::mutex mutex_;
};

}  // namespace fical::agent::router
