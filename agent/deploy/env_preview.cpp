#include "agent/deploy/env_preview.hpp"

#include <cstdlib>

#include "agent/config/env_file.hpp"
#include "agent/secrets/fetcher.hpp"
#include "agent/store/atomic_file.hpp"

namespace fical::agent::deploy {
namespace {

/// Today's env_file and sources; throws std::runtime_error naming what failed.
secrets::EnvVars todays_env(const config::Config& config, const config::Environment& env,
                            std::vector<proto::SecretVersion>& versions) {
  secrets::EnvVars vars;
  if (env.env_file) {
    auto text = store::read_file(*env.env_file);
    if (!text) throw std::runtime_error("env_file " + *env.env_file + " does not exist");
    auto parsed = config::parse_env_file(*text, [](const std::string& key) -> std::optional<std::string> {
      if (const char* value = std::getenv(key.c_str())) return std::string(value);
      return std::nullopt;
    });
    if (!parsed.error.empty()) throw std::runtime_error("env_file " + *env.env_file + ": " + parsed.error);
    vars = std::move(parsed.variables);
  }
  if (!env.sources.empty()) {  // a service's own sources are not previewed
    secrets::SpawnAwsCli cli;
    secrets::EnvSourceFetcher fetcher(cli, config.aws);
    auto sources = fetcher.fetch_current(env.sources);
    secrets::overlay(vars, secrets::combined(sources));
    versions = secrets::versions_of(sources);
  }
  return vars;
}

}  // namespace

nlohmann::json env_preview(const config::Config& config, const std::string& app, const config::Environment& env,
                           store::StateStore& store, const proto::Release* target, bool current_env) {
  try {
    auto state = store.load_env(app, env.name);
    secrets::EnvVars live;
    std::string compared_with = "nothing live";
    if (state.live) {
      auto recorded = store.load_env_snapshot(app, env.name, state.live->deployment_id);
      compared_with = recorded ? "the env " + state.live->version + " runs with" : "nothing recorded";
      if (recorded) live = std::move(*recorded);
    }
    std::vector<proto::SecretVersion> today;
    auto next = todays_env(config, env, today);
    nlohmann::json preview{{"compared_with", compared_with}};
    if (target && !current_env) {
      auto recorded = store.load_env_snapshot(app, env.name, target->deployment_id);
      if (recorded) next = std::move(*recorded);
      preview["secret_versions"] = proto::to_json(target->secret_versions);
      preview["differ_from_today"] = secrets::changed_versions(target->secret_versions, today);
    } else {
      preview["secret_versions"] = proto::to_json(today);
    }
    auto diff = secrets::diff_env(live, next);
    preview["added"] = diff.added;
    preview["removed"] = diff.removed;
    preview["changed"] = diff.changed;
    return preview;
  } catch (const std::exception& e) {
    return {{"error", e.what()}};
  }
}

}  // namespace fical::agent::deploy
