#include "agent/deploy/canary_routes.hpp"

#include "agent/deploy/routes.hpp"
#include "agent/router/canary_upstream.hpp"

namespace fical::agent::deploy {
namespace {

bool all_served(const std::vector<router::UpstreamTarget>& targets) {
  if (targets.empty()) return false;
  for (const auto& t : targets) {
    if (t.servers.empty()) return false;
  }
  return true;
}

}  // namespace

CanaryFiles canary_files(docker::DockerEngine& docker, const std::string& app, const config::Environment& env,
                         const ColorRelease& canary, const ColorRelease& stable, int percent) {
  CanaryFiles out;
  auto canary_targets = routed_upstreams(docker, app, env, canary.color, canary.version);
  auto stable_targets = routed_upstreams(docker, app, env, stable.color, stable.version);
  for (const auto& c : canary_targets) {
    const router::UpstreamTarget* s = nullptr;
    for (const auto& candidate : stable_targets) {
      if (candidate.service == c.service) s = &candidate;
    }
    if (c.servers.empty() || !s || s->servers.empty()) {
      out.missing = c.servers.empty() ? c.down_reason : (s ? s->down_reason : c.service + " has no " + stable.color);
      if (out.missing.empty()) out.missing = c.service + " has no running server";
      out.files.clear();
      out.stable_targets.clear();
      return out;
    }
    router::CanarySplit split{app, env.name, c.service, {stable.color, stable.version, s->servers},
                              {canary.color, canary.version, c.servers}, percent};
    out.files.push_back({router::upstream_file_name(c), router::render_canary_upstream(split)});
    out.stable_targets.push_back(*s);
    out.canary_servers.insert(c.servers.begin(), c.servers.end());
    out.stable_servers.insert(s->servers.begin(), s->servers.end());
  }
  return out;
}

router::EnvUpstreams canary_upstreams(const std::string& app, const std::string& env, const CanaryFiles& split) {
  return {app, env, split.stable_targets, split.files,
          {{std::string(router::kCommonFileName), router::render_canary_common()}}};
}

std::optional<router::EnvUpstreams> env_upstream_files(docker::DockerEngine& docker, const std::string& app,
                                                       const config::Environment& env, const store::EnvState& state,
                                                       const std::optional<store::CanaryState>& canary) {
  auto plain = [&](std::vector<router::UpstreamTarget> targets) {
    return router::EnvUpstreams{app, env.name, std::move(targets), {}, {}};
  };
  if (state.live_color.empty()) return std::nullopt;
  const std::string live_version = state.live ? state.live->version : "";
  if (canary && canary->stable_color == state.live_color && canary->weight > 0 && canary->weight < 100) {
    auto split = canary_files(docker, app, env, {canary->canary_color, canary->canary_version},
                              {canary->stable_color, canary->stable_version}, canary->weight);
    if (split.missing.empty()) return canary_upstreams(app, env.name, split);
    auto stable = routed_upstreams(docker, app, env, state.live_color, live_version);
    if (!all_served(stable)) {
      // The live color is gone but the canary runs: it is what can answer.
      auto ahead = routed_upstreams(docker, app, env, canary->canary_color, canary->canary_version);
      if (all_served(ahead)) return plain(std::move(ahead));
    }
    if (stable.empty()) return std::nullopt;
    return plain(std::move(stable));
  }
  auto targets = routed_upstreams(docker, app, env, state.live_color, live_version);
  if (targets.empty()) return std::nullopt;
  return plain(std::move(targets));
}

}  // namespace fical::agent::deploy
