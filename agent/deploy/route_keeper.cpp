#include "agent/deploy/route_keeper.hpp"

#include <spdlog/spdlog.h>

#include "agent/deploy/canary_routes.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/deploy/routes.hpp"

namespace fical::agent::deploy {
namespace {

using namespace std::chrono_literals;

constexpr auto kBackstop = 5s;        // a refresh at least this often, events or not
constexpr auto kSettle = 20ms;        // events come in bursts (die, then start): one refresh
constexpr auto kEventsCall = 2s;      // each GET /events lasts this long, so stop is prompt

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RouteKeeper::~RouteKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (events_thread_.joinable()) events_thread_.join();
  if (refresh_thread_.joinable()) refresh_thread_.join();
}

void RouteKeeper::start() {
  refresh_all();  // the view is whole before the agent says it is ready
  events_thread_ = std::thread([this] { watch_events(); });
  refresh_thread_ = std::thread([this] { refresh_loop(); });
}

void RouteKeeper::nudge() {
  {
    std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  wake_.notify_all();
}

void RouteKeeper::watch_events() {
  docker::EventFilters filters;
  filters.types = {"container", "network"};
  filters.events = {"create", "start", "die", "destroy", "health_status", "connect", "disconnect"};
  auto stopping = [this] {
    std::lock_guard lock(mutex_);
    return stopping_;
  };
  while (!stopping()) {
    // `since` overlaps the previous call by a second: an event seen twice only nudges twice.
    filters.since = unix_seconds() - 1;
    try {
      deps_.docker.events(filters, kEventsCall, [&](const docker::Event&) {
        nudge();
        return !stopping();
      });
    } catch (const std::exception& e) {
      // Docker is away (restarting): the backstop refresh catches up once it is back.
      spdlog::debug("route keeper: docker events: {}", e.what());
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, 1s, [&] { return stopping_; });
    }
  }
}

void RouteKeeper::refresh_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kBackstop, [&] { return stopping_ || dirty_; });
    if (stopping_) break;
    if (dirty_) wake_.wait_for(lock, kSettle, [&] { return stopping_; });
    dirty_ = false;
    lock.unlock();
    refresh_all();
    lock.lock();
  }
}

std::vector<std::string> RouteKeeper::refresh_all() {
  std::vector<std::string> notes;
  std::string failure;
  try {
    deps_.view.refresh(deps_.docker);
  } catch (const std::exception& e) {
    deps_.view.docker_failed();
    failure = std::string("container view: ") + e.what();
  }
  for (const auto& app : deps_.config.apps) {
    for (const auto& env : app.environments) {
      if (!deps_.router || deps_.busy(app.name, env.name)) continue;
      try {
        std::string color;
        bool changed = deps_.router->refresh_env([&]() -> std::optional<router::EnvUpstreams> {
          // Asked again under the router's lock: a deployment that took the env since
          // routes it itself.
          if (deps_.busy(app.name, env.name)) return std::nullopt;
          auto state = deps_.store.load_env(app.name, env.name);
          color = state.live_color;
          // The live color's files, or a recorded canary's split (canary_routes.hpp).
          return env_upstream_files(deps_.docker, app.name, env, state, deps_.store.load_canary(app.name, env.name));
        });
        if (changed) {
          notes.push_back(app.name + "/" + env.name + ": upstreams follow the " + color + " containers again");
          spdlog::info("route keeper: {}", notes.back());
        }
      } catch (const std::exception& e) {
        failure = app.name + "/" + env.name + ": " + e.what();
      }
    }
  }
  if (failure != last_failure_ && !failure.empty()) spdlog::warn("route keeper: {}", failure);
  last_failure_ = failure;
  return notes;
}

}  // namespace fical::agent::deploy
