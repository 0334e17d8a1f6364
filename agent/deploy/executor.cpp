#include "agent/deploy/executor.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>

#include "agent/deploy/build_output.hpp"
#include "agent/deploy/container_probe.hpp"
#include "agent/deploy/health_gate.hpp"
#include "agent/deploy/http_probe.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/deploy/registry_auth.hpp"
#include "agent/deploy/routes.hpp"
#include "agent/deploy/step_error.hpp"
#include "agent/deploy/source_build.hpp"
#include "agent/source/source_error.hpp"
#include "agent/store/atomic_file.hpp"

namespace fical::agent::deploy {
namespace {

using proto::Phase;

constexpr std::chrono::milliseconds kPortAcceptWait{50};  // one look at whether the port listens

std::string short_id(const std::string& id) {
  auto pos = id.find(':');
  return id.substr(pos == std::string::npos ? 0 : pos + 1, 12);
}

}  // namespace

Executor::Executor(ExecutorDeps deps, DeploymentLog& log, const DeployPlan& plan, std::filesystem::path tree)
    : deps_(deps), log_(log), plan_(plan), tree_(std::move(tree)) {}

void Executor::enter(Phase phase) { log_.enter_phase(phase); }

void Executor::check_cancelled() {
  if (log_.cancel_requested()) throw Cancelled{};
}

void Executor::save_env_state() { deps_.store.save_env(plan_.app, plan_.env, state_); }

const config::Environment& Executor::environment() const {
  return *deps_.config.find_app(plan_.app)->find_environment(plan_.env);
}

std::string Executor::serving() const {
  if (plan_.live_color.empty()) return "no release was live before";
  if (!live_running_) return "nothing serves " + plan_.app + "/" + plan_.env + " (" + plan_.live_version + " was not running)";
  return plan_.live_version + " still serves";
}

proto::DeploymentState Executor::run() {
  return carry_out([&] {
    preflight();
    check_cancelled();
    if (plan_.source) {  // resolved before planning (deployment_run.cpp)
      build_images();
      check_cancelled();
    }
    pull_images();
    await_nginx_test();
    check_required_env();
    check_cancelled();
    migrate_and_create();
    check_cancelled();
    start_new_color();
    check_cancelled();
    wait_until_healthy();
    check_cancelled();
    if (plan_.canary && live_running_) {
      run_canary();
    } else if (plan_.canary) {
      log_.warn("no canary: " + plan_.live_version + " is not running to compare with; switching at once",
                {{"event", "canary_skipped"}, {"reason", "stable_not_running"}});
    }
  });
}

proto::DeploymentState Executor::carry_out(const std::function<void()>& until_canary) {
  state_ = deps_.store.load_env(plan_.app, plan_.env);
  state_.in_flight_id = plan_.deployment_id;
  state_.in_flight_color = plan_.target_color;
  save_env_state();
  auto end = [&](proto::DeploymentState result, const std::string& reason) {
    if (plan_.canary) end_canary(result, reason);
    state_.in_flight_id.clear();
    state_.in_flight_color.clear();
    try {
      save_env_state();
    } catch (const std::exception& e) {
      log_.error(std::string("cannot save the environment state: ") + e.what());
    }
    // Status answers from the view: it shows this deployment's containers once it ended.
    try {
      if (deps_.view) deps_.view->refresh(deps_.docker, plan_.app, plan_.env);
    } catch (const std::exception&) {
      if (deps_.view) deps_.view->docker_failed();
    }
    log_.finish(result, reason);
    return result;
  };
  try {
    until_canary();
    switch_traffic();
    verify_through_nginx();
    record_new_release();
  } catch (const Cancelled&) {
    log_.warn("cancelled: cleaning up; " + serving());
    if (switched_) {  // only a canary has traffic before the full switch
      switch_back();
      deps_.clock.sleep_for(plan_.drain);
      remove_new_containers();
      return end(proto::DeploymentState::cancelled, "cancelled during the canary; " + serving());
    }
    remove_new_containers();
    return end(proto::DeploymentState::cancelled, "cancelled before the switch");
  } catch (const std::exception& e) {
    const auto* step = dynamic_cast<const StepError*>(&e);
    log_.error(e.what(), step ? step->details : nlohmann::json(nullptr));
    if (switched_) {
      switch_back();
      // nginx's previous workers may still send the new color requests: drain first.
      deps_.clock.sleep_for(plan_.drain);
      remove_new_containers();
      return end(proto::DeploymentState::rolled_back, e.what());
    }
    remove_new_containers();
    return end(proto::DeploymentState::failed, e.what());
  }
  // The new release is live: what follows tidies up and cannot undo it.
  try {
    drain_old_color();
    retire_old_color();
    prune_old_releases();
  } catch (const std::exception& e) {
    log_.warn(std::string("the release is live, but tidying up failed: ") + e.what());
  }
  enter(Phase::done);
  return end(proto::DeploymentState::succeeded, {});
}

std::optional<docker::RegistryAuth> Executor::registry_auth(const std::string& image) const {
  try {
    return registry_auth_for(deps_.config, image);
  } catch (const std::exception& e) {
    throw StepError(e.what());
  }
}

void Executor::pull_images() {
  auto to_pull = images_to_pull(plan_);
  bool local = std::any_of(plan_.containers.begin(), plan_.containers.end(),
                           [](const ContainerPlan& c) { return !c.expected_image_id.empty(); });
  if (to_pull.empty() && !local) return;
  enter(Phase::pull);
  for (const auto& image : to_pull) pull_image(image);
  for (const auto& c : plan_.containers) {
    if (c.build) continue;
    const auto& image = c.image;
    auto info = deps_.docker.inspect_image(image);
    if (!c.expected_image_id.empty()) {  // a promoted built image: exactly the one the source runs
      if (!info || info->id != c.expected_image_id) {
        throw StepError(image + (info ? " is now image " + short_id(info->id) : std::string(" is no longer on this host")) +
                            ", not " + short_id(c.expected_image_id) + ", the image " + plan_.version +
                            " was built as; " + serving(),
                        {{"reason", "image_changed"}, {"image", image}, {"image_id", c.expected_image_id}});
      }
      images_.push_back({c.service, image, "", info->id});
      log_.info(image + " is " + short_id(info->id) + ", as built for " + plan_.version,
                {{"image", image}, {"image_id", info->id}});
      continue;
    }
    if (!info) throw StepError(image + " is not present after the pull");
    std::string digest;
    auto repo = split_reference(image).first;
    for (const auto& d : info->repo_digests) {
      if (d.rfind(repo + "@", 0) == 0) digest = d.substr(repo.size() + 1);
    }
    images_.push_back({c.service, image, digest, info->id});
    log_.info(image + " is " + (digest.empty() ? short_id(info->id) : digest),
              {{"image", image}, {"digest", digest}, {"image_id", info->id}});
  }
}

void Executor::prefetch_present_images() {
  // A rollback or promotion pulls only what is gone (by digest: what is here is exact).
  if (plan_.kind != proto::DeploymentKind::deploy) return;
  for (const auto& image : images_to_pull(plan_)) {
    if (prefetched_.count(image)) continue;
    // An image that downloads reports its progress in the pull phase: not started here.
    if (!deps_.docker.inspect_image(image)) continue;
    auto [repo, tag] = split_reference(image);
    docker::PullSpec spec{repo, tag, registry_auth(image), std::chrono::minutes(15)};
    prefetched_[image] = std::async(std::launch::async, [this, spec] {
      deps_.docker.pull(spec, [this](const docker::PullProgress&) { return !log_.cancel_requested(); });
    });
  }
}

void Executor::await_prefetched(const std::string& image, std::future<void>& pull) {
  try {
    pull.get();
  } catch (const docker::DockerError& e) {
    if (e.kind() == docker::DockerErrorKind::cancelled) throw Cancelled{};
    throw pull_failed(image, e);
  }
}

StepError Executor::pull_failed(const std::string& image, const docker::DockerError& e) const {
  nlohmann::json details{{"reason", "pull_failed"}, {"image", image}, {"status", e.status()}};
  if (plan_.promotion) {
    return StepError("promoting " + plan_.version + " needs " + image + ", the image it runs in " +
                         plan_.promotion->from_env + ", which is not on this host and could not be pulled: " +
                         e.what() + "; " + serving(),
                     details);
  }
  if (plan_.kind == proto::DeploymentKind::rollback) {
    // The release's image was removed here and the registry cannot give it back.
    return StepError("rollback to " + plan_.version + " needs " + image +
                         ", the image it ran, which is no longer on this host and could not be pulled: " +
                         e.what() + "; " + serving(),
                     details);
  }
  return StepError("pull of " + image + " failed: " + e.what() + "; " + serving(), details);
}

void Executor::pull_image(const std::string& image) {
  bool present = deps_.docker.inspect_image(image).has_value();
  if (plan_.kind != proto::DeploymentKind::deploy && present) {
    log_.info(image + " is still here: no pull", {{"event", "pull_skipped"}, {"image", image}});
    return;
  }
  if (auto early = prefetched_.find(image); early != prefetched_.end()) {
    log_.info("pulled " + image + " (it was here: its tag was checked during the preflight)",
              {{"event", "pulled"}, {"image", image}, {"prefetched", true}});
    await_prefetched(image, early->second);
    return;
  }
  auto [repo, tag] = split_reference(image);
  log_.info("pulling " + image, {{"event", "pulling"}, {"image", image}});
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> layers;
  int reported_quarter = 0;
  docker::PullSpec spec{repo, tag, registry_auth(image), std::chrono::minutes(15)};
  try {
    deps_.docker.pull(spec, [&](const docker::PullProgress& p) {
      if (p.total > 0) layers[p.id] = {p.current, p.total};
      std::int64_t current = 0, total = 0;
      for (const auto& [id, bytes] : layers) {
        current += bytes.first;
        total += bytes.second;
      }
      int quarter = total > 0 ? static_cast<int>(4 * current / total) : 0;
      if (quarter > reported_quarter && quarter < 4) {
        reported_quarter = quarter;
        log_.info("pulling " + image + ": " + std::to_string(quarter * 25) + "%",
                  {{"image", image}, {"bytes", current}, {"total", total}});
      }
      return !log_.cancel_requested();
    });
  } catch (const docker::DockerError& e) {
    if (e.kind() == docker::DockerErrorKind::cancelled) throw Cancelled{};
    throw pull_failed(image, e);
  }
}

void Executor::build_images() {
  if (plan_.promotion) return;  // it builds nothing: it runs what the source env built
  enter(Phase::build);
  for (const auto& c : plan_.containers) {
    if (!c.build) continue;
    auto repository = built_image_repository(plan_.app, c.service);
    std::vector<std::string> last_lines;
    BuildHooks hooks{[&] {
                       log_.info("building " + repository + ":" + plan_.commit.substr(0, 12) + " from " +
                                 c.build->context + "/" + c.build->dockerfile,
                                 {{"event", "building"}, {"service", c.service}, {"commit", plan_.commit}});
                     },
                     [&](const std::string& step) {
                       log_.info(c.service + ": " + step, {{"event", "build_step"}, {"service", c.service}, {"step", step}});
                     },
                     [&] { return !log_.cancel_requested(); }};
    ServiceBuild result;
    try {
      result = build_service_image(deps_.docker, repository, plan_.commit, plan_.version, *c.build, tree_, hooks,
                                   &last_lines);
    } catch (const docker::DockerError& e) {
      if (e.kind() == docker::DockerErrorKind::cancelled) throw Cancelled{};
      throw StepError("the build of " + c.service + " failed: " + e.what() + "; " + serving(),
                      {{"service", c.service}, {"commit", plan_.commit}, {"logs", last_lines}});
    } catch (const source::SourceError& e) {
      throw StepError("the build of " + c.service + " cannot start: " + e.what());
    }
    images_.push_back({c.service, result.image, "", result.image_id});
    nlohmann::json details{{"event", result.built ? "image_built" : "image_already_built"},
                           {"service", c.service}, {"image", result.image}, {"image_id", result.image_id},
                           {"commit", plan_.commit}, {"built", result.built}};
    if (result.built) {
      details["steps"] = result.steps;
      details["cached_steps"] = result.cached_steps;
      log_.info("built " + result.image + " (" + short_id(result.image_id) + ", " +
                    std::to_string(result.cached_steps) + " of " + std::to_string(result.steps) + " steps cached)",
                details);
    } else {
      log_.info(result.image + " is already built (" + short_id(result.image_id) + "): nothing to build", details);
    }
  }
}

void Executor::run_migration() {
  if (!plan_.migration) return;
  enter(Phase::migrate);
  const auto& m = *plan_.migration;
  // A migration container of an earlier deployment can outlive a crash of the agent (Docker
  // may finish creating it after reconciliation looked): one deployment runs at a time,
  // so any other is stale.
  docker::ContainerFilters stale;
  stale.labels = label_filters(plan_.app, plan_.env, "migration");
  for (const auto& c : deps_.docker.list_containers(stale)) {
    deps_.docker.remove_container(c.id, true);
    log_.info("removed " + c.name + ", left by an earlier deployment");
  }
  std::string command;
  for (const auto& part : m.command) command += (command.empty() ? "" : " ") + part;
  log_.info("running the migration of " + m.service + ": " + command, {{"event", "migration_started"}, {"service", m.service}});
  docker::RunResult result;
  try {
    result = deps_.docker.run_once(migration_spec(m, env_for(m.service)));
  } catch (const docker::DockerError& e) {
    throw StepError(std::string("the migration could not run: ") + e.what());
  }
  nlohmann::json lines = nlohmann::json::array();
  auto first = result.output.size() > 50 ? result.output.size() - 50 : 0;
  for (auto i = first; i < result.output.size(); ++i) lines.push_back(result.output[i].text);
  nlohmann::json details{{"exit_code", result.exit_code}, {"logs", lines}};
  if (result.timed_out) {
    throw StepError("the migration did not finish within " + std::to_string(m.timeout.count() / 1000) +
                        "s and was killed; " + serving(),
                    details);
  }
  if (result.exit_code != 0) {
    // The reason quotes the last line the migration wrote to stderr (its error), else its
    // last line: how Docker interleaves the two streams varies.
    std::string last;
    for (auto it = result.output.rbegin(); it != result.output.rend() && last.empty(); ++it) {
      if (it->stream == docker::LogStream::err) last = ": " + it->text;
    }
    if (last.empty() && !lines.empty()) last = ": " + lines.back().get<std::string>();
    throw StepError("the migration exited with code " + std::to_string(result.exit_code) + last +
                        "; " + serving(),
                    details);
  }
  details["event"] = "migration_done";
  log_.info("migration done", details);
}

void Executor::migrate_and_create() {
  if (plan_.migration) {
    staging_ = std::async(std::launch::async, [this] {
      remove_stale_staged();
      create_staged_containers();
    });
  } else {
    remove_stale_staged();
  }
  run_migration();
}

void Executor::remove_stale_staged() {
  // A kill while Docker created one can leave it after reconcile looked (the create
  // finished after the restart's list): it has an earlier deployment's staging name.
  docker::ContainerFilters filters;
  filters.labels = label_filters(plan_.app, plan_.env, "app");
  for (const auto& c : deps_.docker.list_containers(filters)) {
    for (const auto& planned : plan_.containers) {
      if (c.name.rfind(planned.name + "--", 0) == 0 && c.name != staging_name(planned.name, plan_.deployment_id)) {
        deps_.docker.remove_container(c.id, true);
        log_.info("removed " + c.name + ", left by an interrupted deployment",
                  {{"event", "stale_removed"}, {"container", c.name}});
      }
    }
  }
}

void Executor::await_staged(bool quietly) {
  if (!staging_.valid()) return;
  try {
    staging_.get();
  } catch (const std::exception&) {
    if (!quietly) throw;
  }
}

void Executor::create_staged_containers() {
  for (const auto& c : plan_.containers) {
    if (c.action != ContainerAction::create) continue;
    auto spec = container_spec(c, env_for(c.service));
    spec.name = staging_name(c.name, plan_.deployment_id);  // the network alias stays c.name
    auto id = deps_.docker.create_container(spec);
    created_.push_back(spec.name);
    staged_[c.name] = id;
    join_networks(c, id);
  }
}

void Executor::join_networks(const ContainerPlan& c, const std::string& id) {
  // Docker's create joins one network (API 1.41): the others are joined before it starts.
  for (const auto& network : c.spec.networks) {
    try {
      deps_.docker.connect_network(network, id, {c.name});
    } catch (const docker::DockerError& e) {
      throw StepError("cannot join " + c.name + " to the network " + network + ": " + e.what() + "; " + serving());
    }
  }
}

void Executor::start_new_color() {
  enter(Phase::start);
  await_staged(false);
  for (const auto& c : plan_.containers) {
    switch (c.action) {
      case ContainerAction::reuse_warm:
        log_.info(c.name + " is still running " + plan_.version + " (keep_warm): reused",
                  {{"event", "warm_reused"}, {"container", c.name}, {"version", plan_.version}});
        continue;
      case ContainerAction::restart_retained:
        // The retained container of that release: starting it is all a rollback needs.
        deps_.docker.start_container(c.name);
        restarted_.push_back(c.name);
        log_.info("started the retained " + c.name + " (" + plan_.version + ")",
                  {{"event", "retained_started"}, {"container", c.name}, {"version", plan_.version}});
        continue;
      case ContainerAction::create:
        break;
    }
    if (c.replaces) {
      try {
        deps_.docker.remove_container(c.name, true);
        log_.info("removed " + c.name + " (release " + *c.replaces + ") to make room",
                  {{"event", "container_removed"}, {"container", c.name}, {"version", *c.replaces}});
      } catch (const docker::DockerError& e) {
        if (!e.is_not_found()) throw;  // already gone (removed by hand): nothing to make room for
      }
    }
    std::string id;
    if (auto staged = staged_.find(c.name); staged != staged_.end()) {
      id = staged->second;
      deps_.docker.rename_container(id, c.name);
      std::replace(created_.begin(), created_.end(), staging_name(c.name, plan_.deployment_id), c.name);
    } else {
      id = deps_.docker.create_container(container_spec(c, env_for(c.service)));
      created_.push_back(c.name);
      join_networks(c, id);
    }
    deps_.docker.start_container(id);
    log_.info("started " + c.name + " from " + c.image + (c.port ? " on port " + std::to_string(*c.port) : ""),
              {{"event", "container_started"}, {"container", c.name}, {"image", c.image}});
  }
}

std::vector<std::string> Executor::last_log_lines(const std::string& container, int lines) {
  std::vector<std::string> out;
  try {
    docker::LogOptions options;
    options.tail = lines;
    for (const auto& line : docker::collect_logs(deps_.docker, container, options)) out.push_back(line.text);
  } catch (const std::exception& e) {
    out.push_back(std::string("(logs unavailable: ") + e.what() + ")");
  }
  return out;
}

void Executor::wait_until_healthy() {
  enter(Phase::health);
  for (const auto& c : plan_.containers) {
    // On a Docker network: the address Docker reports for this container (fical's own),
    // known once it started; a restart that moves it fails the gate anyway.
    auto host = c.network == "host" ? std::string("127.0.0.1")
                                    : container_address(deps_.docker, c.name, c.network, plan_.app, plan_.env);
    ProbeTarget target{c.name, c.health, host, c.port, deps_.clock.now()};
    GateTiming timing{c.health.first_interval, c.health.max_interval, c.health.deadline};
    std::function<bool()> opened;  // watch the port between probes: probe as soon as it listens
    if (c.port && !host.empty()) opened = [&] { return deps_.host.port_accepts(host, *c.port, kPortAcceptWait); };
    auto result = wait_until_ready([&] { return probe_container(deps_.docker, deps_.host, target, deps_.clock); }, timing,
                                   deps_.clock, [&] { return log_.cancel_requested(); }, opened);
    if (result.cancelled) throw Cancelled{};
    if (!result.ready) {
      auto info = deps_.docker.inspect_container(c.name);
      nlohmann::json details{{"service", c.service},
                             {"container", c.name},
                             {"probe", result.detail},
                             {"probes", result.probes},
                             {"logs", last_log_lines(c.name, 50)}};
      if (info) {
        details["state"] = info->state.status;
        details["exit_code"] = info->state.exit_code;
        details["restart_count"] = info->restart_count;
      }
      throw StepError(c.service + " did not become healthy: " + result.detail + "; " + serving(),
                      details);
    }
    log_.info(c.name + " is healthy after " + std::to_string(result.waited.count()) + "ms (" +
              std::to_string(result.probes) + " probes)");
  }
}

}  // namespace fical::agent::deploy
