#pragma once
// The live record of one deployment: the executor appends phases and events, API
// watchers read them at the same time, and every change is persisted.
#include <atomic>
#include <deque>
#include <mutex>
#include <string>

#include "agent/deployment_service.hpp"
#include "agent/store/state_store.hpp"
#include "proto/deployment.hpp"

namespace fical::agent::deploy {

/// What an operator asked of a running canary (fical-client canary promote|abort).
enum class CanaryCommand { none, promote, abort };

/// Thread-safe. Writers never wait on readers beyond a short copy under the mutex.
/// Events, phases and the plan are queued in the store's group commit (no fsync on the
/// deployment's thread); snapshot() and events_since() serve only what is committed, so a
/// watcher never sees an event a power cut could take back. The start and the end of a
/// deployment are committed before they return.
class DeploymentLog {
 public:
  /// Records the deployment; throws (store::SqliteError...) when it cannot, before anything ran.
  DeploymentLog(proto::Deployment initial, store::StateStore& store);

  void enter_phase(proto::Phase phase);
  void info(std::string message, nlohmann::json data = nullptr);
  void warn(std::string message, nlohmann::json data = nullptr);
  void error(std::string message, nlohmann::json data = nullptr);
  /// Records the plan (dry runs and the record), the target color and what was live.
  void set_plan(nlohmann::json plan, const std::string& color, const std::string& previous_version);
  /// Preflight found the previous release's containers not running: nothing serves.
  void set_previous_serving(bool serving);
  /// Ends the deployment: closes the open phase, sets state and reason, persists.
  void finish(proto::DeploymentState state, std::string reason = {});

  /// The record as committed to the store.
  proto::Deployment snapshot(bool with_events = true) const;
  /// Committed events with seq >= from.
  EventsPage events_since(std::uint64_t from) const;
  /// The deployment has reached a terminal state.
  bool ended() const;
  /// The phase the executor is in now, committed or not (the engine's own view).
  proto::Phase current_phase() const;
  std::string id() const { return id_; }

  /// A canary's progress or outcome (proto::Deployment::analysis), persisted with the row.
  /// `persist` false: kept in memory (analysis() serves it) until the next persisted change.
  void set_analysis(nlohmann::json analysis, bool persist = true);
  nlohmann::json analysis() const;
  /// promote: 100% to the canary now; abort: weight 0 and roll back now. The canary loop
  /// reads it at its next poll; the last one asked wins.
  void request_canary(CanaryCommand command) { canary_command_ = command; }
  CanaryCommand canary_command() const { return canary_command_; }

  void request_cancel() { cancel_ = true; }
  bool cancel_requested() const { return cancel_; }

 private:
  /// A committed state of the record: its header (no events) and how many events it had.
  struct Version {
    store::StateStore::Ticket ticket = 0;
    proto::Deployment header;
    std::size_t events = 0;
  };
  void add_event(proto::EventLevel level, std::string message, nlohmann::json data);
  void persist_locked();
  proto::Deployment header_locked();
  /// Moves the committed view forward to what the store has committed.
  void catch_up_locked() const;

  const std::string id_;
  store::StateStore& store_;
  mutable std::mutex mutex_;
  proto::Deployment record_;
  std::size_t stored_events_ = 0;  // events[0, stored_events_) are in the store or queued
  mutable std::deque<Version> queued_;  // versions queued, not yet committed, oldest first
  mutable Version committed_;           // what snapshot() serves
  std::atomic<bool> cancel_{false};
  std::atomic<CanaryCommand> canary_command_{CanaryCommand::none};
};

}  // namespace fical::agent::deploy
