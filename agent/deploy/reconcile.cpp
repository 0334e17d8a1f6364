// DeploymentManager::reconcile: make Docker, nginx and the records agree after a restart.
#include <spdlog/spdlog.h>

#include "agent/deploy/deployment_manager.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/deploy/plan.hpp"
#include "agent/deploy/routes.hpp"
#include "agent/router/canary_upstream.hpp"

namespace fical::agent::deploy {
std::vector<std::string> DeploymentManager::reconcile() {
  std::vector<std::string> notes;
  auto note = [&](std::string text) {
    spdlog::warn("reconcile: {}", text);
    notes.push_back(std::move(text));
  };
  try {
    deps_.docker.version();  // Docker answers (throws otherwise), even with no app configured
    docker_answered_ = true;
  } catch (const docker::DockerError&) {
    docker_answered_ = false;  // /healthz: Docker, not only reconciling, is what is missing
    throw;
  }
  std::vector<router::UpstreamFile> common;
  if (!deps_.config.nginx.access_log.empty()) {
    common.push_back({std::string(router::kCommonFileName), router::render_canary_common()});
    if (deps_.router) deps_.router->write_missing(common);
  }
  // A canary whose colors both still run resumes (canary_resume.cpp): its record, its
  // split and its containers stay as they are; every other record left running by a
  // crash is interrupted, whatever the environment state says.
  const auto resumable = resumable_canaries();
  auto resumes = [&](const std::string& app, const std::string& env) {
    auto canary = deps_.store.load_canary(app, env);
    return canary && resumable.count(canary->deployment_id) > 0;
  };
  for (auto& d : deps_.store.unfinished_deployments()) {
    if (resumable.count(d.id)) {
      note("deployment " + d.id + " of " + d.app + "/" + d.env + " resumes its canary at step " +
           std::to_string(resumable.at(d.id).step + 1));
      continue;
    }
    d.state = proto::DeploymentState::interrupted;
    d.error = "the agent stopped while this deployment was in the " + std::string(proto::to_string(d.phase)) +
              " phase";
    d.ended_at = proto::now_ms();
    d.events.push_back({d.events.size(), proto::now_ms(), d.phase, proto::EventLevel::error, d.error, nullptr});
    deps_.store.save_deployment(d);
    note("deployment " + d.id + " of " + d.app + "/" + d.env + " is interrupted (" + d.error + ")");
  }
  for (const auto& app : deps_.config.apps) {
    for (const auto& env : app.environments) {
      auto state = deps_.store.load_env(app.name, env.name);
      auto where = app.name + "/" + env.name;
      if (resumes(app.name, env.name)) continue;  // the resumed deployment routes it
      docker::ContainerFilters filters;
      filters.labels = label_filters(app.name, env.name);  // every role: orphans are reported
      auto containers = deps_.docker.list_containers(filters);
      // 1. The live color runs.
      if (!state.live_color.empty()) {
        for (const auto& service : env.services) {
          auto name = container_name(app.name, env.name, service.name, state.live_color);
          auto info = deps_.docker.inspect_container(name);
          if (!info) {
            note(where + ": live container " + name + " is missing; deploy again to recreate it");
          } else if (!info->state.running) {
            deps_.docker.start_container(name);
            note(where + ": started live container " + name);
          }
        }
      }
      // 1b. A canary the agent stopped during is over: its deployment is interrupted and
      //     its containers go below (3.), so nginx gets the live color's plain upstreams.
      if (auto canary = deps_.store.load_canary(app.name, env.name)) {
        deps_.store.clear_canary(app.name, env.name);
        note(where + ": the canary of deployment " + canary->deployment_id + " (step " + std::to_string(canary->step + 1) +
             ", " + std::to_string(canary->weight) + "% to " + canary->canary_version +
             ") was interrupted: all traffic back to " + state.live_color);
      }
      // 2. nginx points at the live color (a crash between the switch and the record of
      //    the new release leaves it pointing at the new color), at the addresses its
      //    containers have now (a reboot may have moved them).
      bool repointed = false;
      auto targets = state.live_color.empty()
                         ? std::vector<router::UpstreamTarget>{}
                         : routed_upstreams(deps_.docker, app.name, env, state.live_color,
                                            state.live ? state.live->version : "");
      if (deps_.router && !state.live_color.empty() && !targets.empty()) {
        try {
          // In maintenance the maintenance files, with `@live` at the live color.
          if (deps_.router->differs(targets)) {
            deps_.router->apply(targets);
            repointed = true;
            note(where + ": upstreams pointed back at the live color " + state.live_color);
          }
        } catch (const std::exception& e) {
          note(where + ": could not point the upstreams at " + state.live_color + ": " + e.what());
        }
      }
      // Before the first release: a down server in each upstream file, so that the site
      // config can proxy_pass to them and nginx starts and passes nginx -t already.
      if (deps_.router && state.live_color.empty()) {
        ContainerAddresses none;
        if (int written = deps_.router->write_missing(upstreams_for(app.name, env, kBlue, "", &none))) {
          note(where + ": wrote " + std::to_string(written) + " upstream file(s) with no server yet (nothing is live)");
        }
      }
      // 3. Containers of an interrupted deployment that did not go live are removed, once
      //    nginx's previous workers (which may still send them requests) have drained.
      if (!state.in_flight_id.empty()) {
        if (repointed) deps_.clock.sleep_for(env.drain);
        for (const auto& c : containers) {
          if (label_value(c.labels, labels::kDeployment) == state.in_flight_id &&
              label_value(c.labels, labels::kColor) != state.live_color) {
            deps_.docker.remove_container(c.id, true);
            note(where + ": removed " + c.name + " of interrupted deployment " + state.in_flight_id);
          }
        }
        state.in_flight_id.clear();
        state.in_flight_color.clear();
      }
      // 4. An old color still running (a crash during drain) gets its drain: the
      //    housekeeper stops it when the window ends, unless keep_warm already covers it.
      if (!state.live_color.empty() && !state.warm_until) {
        for (const auto& c : containers) {
          if (c.state == "running" && label_value(c.labels, labels::kColor) == other_color(state.live_color) &&
              label_value(c.labels, labels::kRole) == "app") {
            state.warm_color = other_color(state.live_color);
            state.warm_until = proto::now_ms() + env.drain;
            note(where + ": " + c.name + " of the old color still runs; it stops after a drain of " +
                 std::to_string(env.drain.count()) + "ms");
          }
        }
      }
      deps_.store.save_env(app.name, env.name, state);
      // Anything fical made that is neither color of this environment is reported.
      for (const auto& c : containers) {
        auto color = label_value(c.labels, labels::kColor);
        if (label_value(c.labels, labels::kRole) == "migration" || (color != kBlue && color != kGreen)) {
          note(where + ": orphaned container " + c.name + " (left alone; remove it with docker rm)");
        }
      }
    }
  }
  // With canaries configured _fical.conf is always there, as it is now: a site's
  // access_log names its log_format (written first, so no nginx -t fails for it).
  if (deps_.router && !common.empty()) {
    try {
      if (deps_.router->refresh_files([&] { return std::optional(common); })) {
        note("wrote " + std::string(router::kCommonFileName) + " (the fical_canary log format)");
      }
    } catch (const std::exception& e) {
      note("could not write " + std::string(router::kCommonFileName) + ": " + e.what());
    }
  }
  resume_canaries(resumable);
  if (!reconciled_) route_keeper_->start();
  reconciled_ = true;
  return notes;
}

}  // namespace fical::agent::deploy
