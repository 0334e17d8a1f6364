#pragma once
// Deployments: their states, phases, events and the record the agent keeps and serves.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/time.hpp"

namespace fical::proto {

enum class DeploymentKind { deploy, rollback, promote };

enum class DeploymentState {
  pending,      // accepted, not started
  running,
  succeeded,    // the new release is live
  failed,       // stopped before the switch; the old release serves
  rolled_back,  // failed after the switch and switched back
  cancelled,    // cancelled before the switch; the old release serves
  interrupted,  // the agent stopped or crashed while it ran
};

/// The phases of a deployment, in order (see ARCHITECTURE.md).
enum class Phase { preflight, resolve, pull, build, migrate, start, health, canary, switch_traffic, verify,
                   drain, retire, done };

std::string_view to_string(DeploymentKind kind);
std::string_view to_string(DeploymentState state);
std::string_view to_string(Phase phase);  // switch_traffic is "switch"
std::optional<DeploymentKind> deployment_kind_from_string(std::string_view text);
std::optional<DeploymentState> deployment_state_from_string(std::string_view text);
std::optional<Phase> phase_from_string(std::string_view text);

bool is_terminal(DeploymentState state);

enum class EventLevel { info, warn, error };
std::string_view to_string(EventLevel level);

/// One line of a deployment's progress, as streamed to clients.
struct Event {
  std::uint64_t seq = 0;  // 0, 1, 2... within a deployment
  TimePoint time{};
  Phase phase = Phase::preflight;
  EventLevel level = EventLevel::info;
  std::string message;
  nlohmann::json data;  // optional details: pull bytes, probe status, log lines
};

/// When a phase started and ended.
struct PhaseRecord {
  Phase phase = Phase::preflight;
  TimePoint started{};
  std::optional<TimePoint> ended;
};

/// A promotion's source: the environment and the deployment whose live release it runs.
struct PromotedFrom {
  std::string env;
  std::string deployment_id;
  bool operator==(const PromotedFrom&) const = default;
};

/// A deployment (or rollback, or promotion) of one environment, as recorded and served.
struct Deployment {
  std::string id;
  std::string app;
  std::string env;
  DeploymentKind kind = DeploymentKind::deploy;
  std::string version;                  // the version asked for (or rolled back to)
  bool dry_run = false;
  std::string actor;                    // the token id that asked
  std::string idempotency_key;          // empty when none was sent
  DeploymentState state = DeploymentState::pending;
  Phase phase = Phase::preflight;       // current phase, or the last one reached
  TimePoint created_at{};
  std::optional<TimePoint> ended_at;
  std::vector<PhaseRecord> phases;
  std::string color;                    // the color this deployment starts
  std::string previous_version;         // live before this deployment; empty when none
  bool previous_serving = true;         // its containers ran when this deployment began
  std::string error;                    // why it failed, rolled back or was interrupted
  std::string env_source;               // rollbacks: "recorded" (the env the release ran
                                        // with) or "current" (today's env_file)
  bool env_changed = false;             // rollbacks: env_file changed since the release ran
  nlohmann::json plan;                  // dry runs: what would be done
  std::optional<PromotedFrom> promoted_from;  // promotions: the release's source
  bool canary = false;                  // asked for a canary (the env's strategy may say so too)
  std::string canary_steps;             // its steps as asked ("10:5m,50:5m"); empty: the env's
  // A canary's progress and, once it ended, its outcome: step, weight and the verdict
  // numbers (docs/canary.md); null when the deployment ran no canary.
  nlohmann::json analysis;
  std::vector<Event> events;
};

nlohmann::json to_json(const Event& event);
nlohmann::json to_json(const Deployment& deployment, bool with_events = true);
Event event_from_json(const nlohmann::json& json);            // throws nlohmann::json::exception
Deployment deployment_from_json(const nlohmann::json& json);  // throws nlohmann::json::exception

}  // namespace fical::proto
