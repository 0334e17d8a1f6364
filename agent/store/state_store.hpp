#pragma once
// fical's durable state under state_dir, every write atomic:
//   envs/{app}/{env}.json      live release and color, the deployment in flight
//   deployments/{id}.json      each deployment with its events
//   releases/{app}/{env}.json  release history, oldest first
//   env-snapshots/{app}/{env}/{deployment_id}.json  the env a release ran with
// A file that cannot be parsed is renamed to *.corrupt-<time>, reported, and never reused.
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/deployment.hpp"
#include "proto/release.hpp"

namespace fical::agent::store {

/// What is live in one environment and what is changing it.
struct EnvState {
  std::string live_color;              // "blue", "green", or empty before the first deploy
  std::optional<proto::Release> live;
  std::string in_flight_id;            // the running deployment, or empty
  std::string in_flight_color;         // the color it starts
  std::optional<proto::TimePoint> warm_until;  // keep_warm: the old color runs until then
  std::string warm_color;
};

/// Reads and writes the state files. Thread-safe: one mutex guards all writes.
class StateStore {
 public:
  /// Creates the directories and takes an exclusive lock on state_dir/agent.lock, which
  /// the kernel drops when the process dies. Throws when another agent holds it.
  explicit StateStore(std::filesystem::path state_dir);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

  EnvState load_env(const std::string& app, const std::string& env);
  void save_env(const std::string& app, const std::string& env, const EnvState& state);

  void save_deployment(const proto::Deployment& deployment);
  std::optional<proto::Deployment> load_deployment(const std::string& id);
  /// Every readable deployment record, oldest first by creation time.
  std::vector<proto::Deployment> load_deployments();

  std::vector<proto::Release> load_releases(const std::string& app, const std::string& env);
  void save_releases(const std::string& app, const std::string& env,
                     const std::vector<proto::Release>& releases);

  // The env each release ran with (env_snapshots.cpp): env_file variables, root-only in
  // state_dir/env-snapshots/{app}/{env}/{deployment_id}.json, so a rollback can use them.
  using EnvVars = std::vector<std::pair<std::string, std::string>>;
  void save_env_snapshot(const std::string& app, const std::string& env, const std::string& deployment_id,
                         const EnvVars& variables);
  std::optional<EnvVars> load_env_snapshot(const std::string& app, const std::string& env,
                                           const std::string& deployment_id);
  /// Removes the snapshots of deployments not in `keep`.
  void prune_env_snapshots(const std::string& app, const std::string& env, const std::vector<std::string>& keep);
  /// A keyed hash (HMAC-SHA-256 under state_dir/env-hash.key, made once) of env_file text:
  /// tells two env files apart, and cannot be used to guess a secret offline.
  std::string env_fingerprint(std::string_view env_file_text);

  /// Files found corrupt and set aside since start, as messages for logs and status.
  std::vector<std::string> problems() const;

 private:
  void set_aside(const std::filesystem::path& path, const std::string& why);

  std::filesystem::path dir_;
  int lock_fd_ = -1;
  mutable std::mutex mutex_;
  std::vector<std::string> problems_;
  std::string env_hash_key_;  // loaded (or made) at the first env_fingerprint()
};

nlohmann::json to_json(const EnvState& state);
EnvState env_state_from_json(const nlohmann::json& json);

}  // namespace fical::agent::store
