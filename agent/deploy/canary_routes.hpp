#pragma once
// What an environment's upstream files contain during a canary (both colors, weighted) and,
// for the route keeper, what they should contain now: one place decides it.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/docker/engine.hpp"
#include "agent/router/upstream_router.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::deploy {

/// A color and the release it runs.
struct ColorRelease {
  std::string color;
  std::string version;
};

/// A canary's files at one percent, with the servers of each color (the analysis attributes
/// access-log tries by them).
struct CanaryFiles {
  std::vector<router::UpstreamFile> files;  // each routed service's split upstream
  std::vector<router::UpstreamTarget> stable_targets;  // what serves without the split
  std::set<std::string> canary_servers;
  std::set<std::string> stable_servers;
  std::string missing;  // why a routed service has no running server of a color; files empty then
};

/// The split of every routed service of `env` at `percent` (1-99) between the containers
/// of both colors as Docker has them now (render_canary_upstream).
CanaryFiles canary_files(docker::DockerEngine& docker, const std::string& app, const config::Environment& env,
                         const ColorRelease& canary, const ColorRelease& stable, int percent);

/// A canary's split as the router writes it for app/env (its maintenance page, when on,
/// wins: EnvUpstreams), with _fical.conf.
router::EnvUpstreams canary_upstreams(const std::string& app, const std::string& env, const CanaryFiles& split);

/// What the route keeper writes for an environment: the live color's upstreams, or while a
/// canary is recorded the split at its weight. Never a color with no running server: when
/// one color of a canary has none, the other's plain upstreams. nullopt: leave them alone
/// (nothing live, nothing routed).
std::optional<router::EnvUpstreams> env_upstream_files(docker::DockerEngine& docker, const std::string& app,
                                                       const config::Environment& env, const store::EnvState& state,
                                                       const std::optional<store::CanaryState>& canary);

}  // namespace fical::agent::deploy
