// The executor's checks before anything changes: the env_file, free disk, nginx -t, the
// idle color's ports; and, once the images are here, the env keys the release needs.
#include <algorithm>
#include <cstdlib>

#include "agent/config/env_file.hpp"
#include "agent/deploy/executor.hpp"
#include "agent/deploy/http_probe.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/deploy/required_env.hpp"
#include "agent/deploy/routes.hpp"
#include "agent/deploy/step_error.hpp"
#include "agent/store/atomic_file.hpp"

namespace fical::agent::deploy {
namespace {

using proto::Phase;

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kMinStateDirFreeMiB = 64;

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

void Executor::preflight() {
  enter(Phase::preflight);
  prefetch_present_images();
  read_env_file();
  check_free_disk();
  check_live_color();
  if (deps_.router && !plan_.upstreams.empty()) {
    // A switch needs an nginx to reload: refused here, before the migration changes anything.
    if (auto why = deps_.router->nginx_not_running()) {
      throw StepError("nginx is not running, so no switch could reach it: start nginx first; " + serving() + " (" +
                          *why + ")",
                      {{"reason", "nginx_not_running"}, {"nginx", *why}});
    }
    restore_own_upstreams();
    // nginx -t reads only nginx's files and takes tens of ms: it runs while the images are
    // pulled (a pull changes nothing that serves) and is awaited before the migration.
    nginx_test_ = std::async(std::launch::async, [router = deps_.router] { return router->test_current(); });
  }
  for (const auto& c : plan_.containers) {
    if (!c.port || c.network != "host") continue;
    auto ours = deps_.docker.inspect_container(c.name);
    if (ours && ours->state.running) continue;  // replaced in the start phase
    auto answer = deps_.host.http_probe("127.0.0.1", *c.port, "/", std::chrono::milliseconds(500));
    bool port_free = answer.status == 0 && answer.refused;
    if (!port_free) {
      throw StepError("port " + std::to_string(*c.port) + " for the " + plan_.target_color + " color of " +
                      c.service + " is in use by another process");
    }
  }
  log_.info("preflight passed: deploying " + plan_.version + " to the " + plan_.target_color + " color" +
            (plan_.live_color.empty() ? " (first release)" : ", " + plan_.live_version + " stays live meanwhile"));
}

void Executor::await_nginx_test() {
  if (!nginx_test_.valid()) return;
  // fical's upstream files hold addresses, never names, so a stopped container cannot
  // fail nginx -t: when it fails, something else in nginx's configuration is broken.
  try {
    nginx_test_.get();
  } catch (const router::RouterError& e) {
    throw StepError("nginx -t fails before any change (the configuration as it is, not this deployment's): "
                    "fix nginx first; " + serving() + "\n" + e.what(),
                    {{"reason", "nginx_test_failed"}, {"nginx_test", e.what()}});
  }
}

void Executor::restore_own_upstreams() {
  if (plan_.live_color.empty()) return;
  auto targets = routed_upstreams(deps_.docker, plan_.app, environment(), plan_.live_color, plan_.live_version);
  std::vector<std::string> restored;
  for (const auto& t : targets) {
    if (t.servers.empty()) return;  // nothing to point at: the switch writes them
    if (deps_.router->current(t) != router::render_upstream(t)) restored.push_back(router::upstream_file_name(t));
  }
  if (restored.empty()) return;
  try {
    deps_.router->refresh([&] { return std::optional(targets); });
  } catch (const router::RouterError&) {
    return;  // nginx -t next says why
  }
  log_.warn("restored fical's upstream files changed by hand (" + join(restored) + "): fical owns them",
            {{"restored", restored}});
}

void Executor::check_live_color() {
  if (plan_.live_color.empty()) return;
  std::vector<std::string> down;
  for (const auto& c : plan_.containers) {
    auto name = container_name(plan_.app, plan_.env, c.service, plan_.live_color);
    auto info = deps_.docker.inspect_container(name);
    if (!info || !info->state.running) down.push_back(name + (info ? " is " + info->state.status : " is gone"));
  }
  if (down.empty()) return;
  live_running_ = false;
  log_.set_previous_serving(false);
  log_.warn("the live release " + plan_.live_version + " is not running (" + join(down) + "): nothing serves " +
                plan_.app + "/" + plan_.env + " until this deployment goes live",
            {{"live_color", plan_.live_color}, {"not_running", down}});
}

void Executor::read_env_file() {
  std::string today_hash;
  if (plan_.env_file) env_file_vars_ = read_todays_env_file(today_hash);
  if (environment().has_env_sources()) read_todays_env_sources();
  env_hash_ = today_hash;
  if (plan_.rollback) prepare_rollback(*plan_.rollback);
  if (plan_.promotion) report_pinned_images();
}

EnvVars Executor::read_todays_env_file(std::string& hash) {
  std::optional<std::string> text;
  try {
    text = store::read_file(*plan_.env_file);
  } catch (const std::exception& e) {
    throw StepError("env_file cannot be read: " + std::string(e.what()));
  }
  if (!text) throw StepError("env_file " + *plan_.env_file + " does not exist");
  auto parsed = config::parse_env_file(*text, [this](const std::string& key) { return deps_.host.getenv(key); });
  if (!parsed.error.empty()) throw StepError("env_file " + *plan_.env_file + ": " + parsed.error);
  hash = deps_.store.env_fingerprint(*text);
  return std::move(parsed.variables);
}

void Executor::check_free_disk() {
  auto state_free = deps_.host.free_bytes(deps_.store.dir());
  if (state_free && *state_free < kMinStateDirFreeMiB * kMiB) {
    throw StepError("less than " + std::to_string(kMinStateDirFreeMiB) + " MiB free in " + deps_.store.dir().string());
  }
  auto minimum = static_cast<std::uint64_t>(deps_.config.docker.min_free_disk_mb);
  if (minimum == 0) return;
  auto root = deps_.docker.info().docker_root_dir;
  auto docker_free = deps_.host.free_bytes(root);
  if (!docker_free) {
    log_.warn("Docker's data-root " + root + " is not visible to the agent: its free space is not checked");
    return;
  }
  if (*docker_free < minimum * kMiB) {
    throw StepError("only " + std::to_string(*docker_free / kMiB) + " MiB free in Docker's data-root " + root +
                        ", less than docker.min_free_disk_mb (" + std::to_string(minimum) +
                        "); free space (docker image prune) before deploying",
                    {{"docker_root_dir", root}, {"free_mb", *docker_free / kMiB}, {"min_free_disk_mb", minimum}});
  }
}

void Executor::check_required_env() {
  std::string env_source = plan_.env_file ? "env_file " + *plan_.env_file : std::string("no env_file");
  for (const auto& c : plan_.containers) {
    auto image = deps_.docker.inspect_image(c.image);
    if (!image) continue;  // pull_images/build_images already failed on it
    auto label = image->labels.find(std::string(kRequiredEnvLabel));
    if (label == image->labels.end()) continue;
    auto required = parse_required_env(label->second);
    if (!required.invalid.empty()) {
      log_.warn(c.image + " label " + std::string(kRequiredEnvLabel) + " has words that are not key names: " +
                join(required.invalid));
    }
    auto missing = missing_env_keys(required.keys, env_for(c.service), c.env);
    if (!missing.empty()) {
      throw StepError(plan_.version + " of " + c.service + " needs " + join(missing) + " (image label " +
                          std::string(kRequiredEnvLabel) + "), which " + env_source +
                          " and the service's env do not set; " + serving(),
                      {{"service", c.service}, {"image", c.image}, {"missing", missing}});
    }
  }
}

}  // namespace fical::agent::deploy
