#pragma once
// Keeps nginx pointed at the live containers as Docker has them: a restart, a dockerd
// restart or a reboot can give a container a new address on its network.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/deploy/container_view.hpp"
#include "agent/docker/engine.hpp"
#include "agent/router/upstream_router.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::deploy {

struct RouteKeeperDeps {
  const config::Config& config;
  docker::DockerEngine& docker;
  router::UpstreamRouter* router;  // null when no app has a routed service: the view only
  store::StateStore& store;
  ContainerView& view;
  /// True while a deployment (or anything else) holds app/env: it routes it itself.
  std::function<bool(const std::string& app, const std::string& env)> busy;
};

/// Watches Docker's container events (create, start, die, destroy, health, network connect and
/// disconnect) and, soon after one and every few seconds as a backstop, refreshes the
/// ContainerView and every environment's upstream files; a file is rewritten (and nginx
/// tested and reloaded) only when it differs from what the live color's containers need.
/// Thread-safe; owns its two threads from start() until destruction.
class RouteKeeper {
 public:
  explicit RouteKeeper(RouteKeeperDeps deps) : deps_(std::move(deps)) {}
  ~RouteKeeper();
  RouteKeeper(const RouteKeeper&) = delete;
  RouteKeeper& operator=(const RouteKeeper&) = delete;

  void start();
  /// Something changed (an event, a deployment ended): refresh soon.
  void nudge();
  /// The view, then one pass over every environment not busy; returns a note per
  /// environment whose upstreams it changed. Throws nothing: failures are logged (once per
  /// distinct message) and retried next pass. One caller at a time (start, then its thread).
  std::vector<std::string> refresh_all();

 private:
  void watch_events();
  void refresh_loop();

  RouteKeeperDeps deps_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool dirty_ = false;
  bool stopping_ = false;
  std::string last_failure_;  // refresh thread only
  std::thread events_thread_;
  std::thread refresh_thread_;
};

}  // namespace fical::agent::deploy
