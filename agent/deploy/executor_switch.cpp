// The executor's steps from the switch on: nginx, verification, the record of the new
// release, drain, retire and prune, and the way back when a step fails after the switch.
#include <charconv>
#include <set>

#include "agent/deploy/executor.hpp"
#include "agent/deploy/http_probe.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/deploy/routes.hpp"
#include "agent/deploy/step_error.hpp"
#include "agent/router/maintenance.hpp"
#include "agent/source/release_tree.hpp"

namespace fical::agent::deploy {
namespace {

using proto::Phase;

// "http://127.0.0.1:8080" -> host and port.
std::pair<std::string, std::uint16_t> host_port(const std::string& url) {
  auto rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  std::uint16_t port = 80;
  if (colon != std::string::npos) {
    std::from_chars(rest.data() + colon + 1, rest.data() + rest.size(), port);
    rest = rest.substr(0, colon);
  }
  return {rest, port};
}

}  // namespace

void Executor::switch_traffic() {
  enter(Phase::switch_traffic);
  if (!deps_.router || plan_.upstreams.empty()) {
    log_.info("no service has a port: nothing to route");
    return;
  }
  // Every routed service of the environment switches in one nginx -t and reload.
  auto targets = routed_upstreams(deps_.docker, plan_.app, environment(), plan_.target_color, plan_.version);
  for (const auto& u : targets) {
    if (u.servers.empty()) throw StepError(u.down_reason + " after its health gate; " + serving());
  }
  try {
    deps_.router->apply(targets);
  } catch (const router::RouterError& e) {
    throw StepError(std::string(e.what()) + "; " + serving());
  }
  switched_ = true;
  applied_ = targets;
  for (const auto& u : targets) {
    log_.info("nginx sends " + router::upstream_name(u.app, u.env, u.service) + " to " + u.servers.front() +
                  " (" + u.color + ", " + u.version + ")",
              {{"service", u.service}, {"servers", u.servers}, {"color", u.color}});
  }
}

void Executor::verify_through_nginx() {
  enter(Phase::verify);
  const auto& url = deps_.config.nginx.verify_url;
  if (url.empty() || !switched_) {
    log_.info("skipped: nginx.verify_url is not set");
    return;
  }
  auto [host, port] = host_port(url);
  // In maintenance users get the page; the verify request passes it to the live color.
  HttpHeaders headers;
  if (deps_.router->in_maintenance(plan_.app, plan_.env)) {
    headers.emplace_back(std::string(router::kVerifyHeader), deps_.router->verify_secret());
    log_.info("the env is in maintenance: verify passes its page with the " + std::string(router::kVerifyHeader) +
              " header");
  }
  // For a moment after a reload nginx's previous workers still answer: with the old release
  // (so one good answer proves nothing), or with 502 before the first release. Verified
  // means every probe passed for a whole window, which outlasts the handover to the new
  // workers; failed means no such window within the deadline.
  constexpr std::chrono::milliseconds kWindow{500}, kEvery{50}, kDeadline{3000};
  auto started = deps_.clock.now();
  auto passing_since = started;
  std::string failure;
  int probes = 0;
  for (;;) {
    auto answer = deps_.host.http_probe(host, port, plan_.verify_path, std::chrono::seconds(2), headers);
    ++probes;
    auto now = deps_.clock.now();
    if (answer.status < 200 || answer.status >= 500) {
      failure = "GET " + url + plan_.verify_path + " answered " +
                (answer.status ? std::to_string(answer.status) : answer.error);
      passing_since = now + kEvery;  // the window starts again at the next probe
    } else if (now - passing_since >= kWindow) {
      failure.clear();
      break;
    }
    if (now - started >= kDeadline) break;
    deps_.clock.sleep_for(kEvery);
  }
  if (!failure.empty()) {
    if (plan_.previous_upstreams.empty()) {
      log_.warn("verify failed (" + failure + "), and there is no earlier release to switch back to");
      return;
    }
    throw StepError("verify through nginx failed: " + failure);
  }
  log_.info("nginx answers through the new release: GET " + url + plan_.verify_path + " (" +
            std::to_string(probes) + " probes over " + std::to_string(kWindow.count()) + "ms)");
}

void Executor::record_new_release() {
  auto record = log_.snapshot(false);
  proto::Release release{.version = plan_.version,
                         .color = plan_.target_color,
                         .images = images_,
                         .commit = plan_.commit,
                         .deployment_id = plan_.deployment_id,
                         .deployed_by = record.actor,
                         .deployed_at = deps_.host.wall_now(),
                         .env_hash = env_hash_};
  for (const auto& u : applied_) release.upstreams[u.service] = router::render_upstream(u);
  for (const auto& c : plan_.containers) release.specs[c.service] = c.spec;
  release.secret_versions = secret_versions_;
  // Kept before the release is recorded: a release is never without the env it ran with.
  if (plan_.env_file || environment().has_env_sources()) {
    deps_.store.save_env_snapshot(plan_.app, plan_.env, plan_.deployment_id, env_file_vars_);
  }
  state_.live_color = plan_.target_color;
  state_.live = release;
  state_.warm_color.clear();
  state_.warm_until.reset();
  if (plan_.keep_warm.count() > 0 && !plan_.live_color.empty()) {
    state_.warm_color = plan_.live_color;
    state_.warm_until = deps_.host.wall_now() + plan_.keep_warm;
  }
  // One transaction: a crash leaves both the release and the env state recorded, or neither.
  deps_.store.record_release(plan_.app, plan_.env, release, state_);
  log_.info(plan_.version + " is live on " + plan_.target_color);
}

void Executor::drain_old_color() {
  if (plan_.live_color.empty()) return;
  enter(Phase::drain);
  log_.info("draining " + plan_.live_color + " for " + std::to_string(plan_.drain.count()) +
            "ms so requests in flight finish");
  deps_.clock.sleep_for(plan_.drain);
}

void Executor::retire_old_color() {
  if (plan_.live_color.empty()) return;
  enter(Phase::retire);
  if (state_.warm_until) {
    log_.info(plan_.live_color + " keeps running until " + proto::format_time(*state_.warm_until) +
              " (keep_warm): a rollback meanwhile is only a switch");
    return;
  }
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(plan_.stop_timeout);
  for (const auto& c : plan_.containers) {
    auto old = container_name(plan_.app, plan_.env, c.service, plan_.live_color);
    deps_.docker.stop_container(old, seconds);
    log_.info("stopped " + old + " (" + plan_.live_version + "), kept for rollback");
  }
}

void Executor::prune_old_releases() {
  auto releases = deps_.store.load_releases(plan_.app, plan_.env);
  auto first_kept = proto::first_retained(releases.size(), plan_.retain);
  std::vector<std::string> kept_envs;  // the env snapshots of retained releases
  for (auto i = first_kept; i < releases.size(); ++i) kept_envs.push_back(releases[i].deployment_id);
  deps_.store.prune_env_snapshots(plan_.app, plan_.env, kept_envs);
  if (first_kept == 0) return;
  prune_release_trees();
  // Images that any environment still keeps are never removed.
  std::set<std::string> kept;
  for (const auto& app : deps_.config.apps) {
    for (const auto& env : app.environments) {
      auto history = deps_.store.load_releases(app.name, env.name);
      for (auto i = proto::first_retained(history.size(), env.retain); i < history.size(); ++i) {
        for (const auto& image : history[i].images) kept.insert(image.image);
      }
    }
  }
  for (std::size_t i = 0; i < first_kept; ++i) {
    for (const auto& image : releases[i].images) {
      if (kept.count(image.image)) continue;
      try {
        deps_.docker.remove_image(image.image, false);
        log_.info("pruned " + image.image + " (older than the " + std::to_string(plan_.retain) + " kept releases)");
      } catch (const docker::DockerError& e) {
        log_.warn("kept " + image.image + ": " + e.what());
      }
    }
  }
}

void Executor::prune_release_trees() {
  if (!plan_.source) return;
  // Trees of commits that some environment of the app deployed and none retains now.
  std::set<std::string> retained, aged_out;
  for (const auto& env : deps_.config.find_app(plan_.app)->environments) {
    auto history = deps_.store.load_releases(plan_.app, env.name);
    auto first = proto::first_retained(history.size(), env.retain);
    for (std::size_t i = 0; i < history.size(); ++i) (i < first ? aged_out : retained).insert(history[i].commit);
  }
  for (const auto& commit : aged_out) {
    if (commit.empty() || retained.count(commit) || commit == plan_.commit) continue;
    if (source::remove_release_tree(deps_.store.dir() / "src" / plan_.app, commit)) {
      log_.info("removed the source tree of " + commit.substr(0, 12) + " (no kept release uses it)");
    }
  }
}

void Executor::remove_new_containers() {
  await_staged(true);  // what it created is removed below; why it failed was reported or moot
  for (const auto& name : created_) {
    try {
      deps_.docker.remove_container(name, true);
      log_.info("removed " + name);
    } catch (const std::exception& e) {
      log_.warn("could not remove " + name + ": " + e.what());
    }
  }
  created_.clear();
  // Retained containers a rollback started are stopped again, not removed: still retained.
  for (const auto& name : restarted_) {
    try {
      deps_.docker.stop_container(name, std::chrono::duration_cast<std::chrono::seconds>(plan_.stop_timeout));
      log_.info("stopped " + name + " again");
    } catch (const std::exception& e) {
      log_.warn("could not stop " + name + ": " + e.what());
    }
  }
  restarted_.clear();
}

void Executor::switch_back() {
  enter(Phase::switch_traffic);
  if (plan_.live_color.empty()) {
    log_.warn("no earlier release to switch back to");
    return;
  }
  try {
    // The old color's containers as they are now (still running: they were draining).
    deps_.router->apply(
        routed_upstreams(deps_.docker, plan_.app, environment(), plan_.live_color, plan_.live_version));
    log_.warn("switched nginx back to " + plan_.live_color + " (" + plan_.live_version + ")",
              {{"event", "switched_back"}, {"color", plan_.live_color}, {"version", plan_.live_version}});
  } catch (const std::exception& e) {
    log_.error(std::string("could not switch back: ") + e.what());
  }
}

}  // namespace fical::agent::deploy
