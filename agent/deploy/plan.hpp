#pragma once
// What a deployment will do, decided before anything changes: the pure half of the
// engine. Every decision is made here from facts gathered beforehand (plan_facts.hpp):
// the image each container runs (tag, commit or recorded digest), where its env comes
// from, whether it is created, restarted or reused. The executor carries a plan out
// without changing it; dry runs return the same plan as JSON.
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/router/upstream.hpp"
#include "agent/store/state_store.hpp"
#include "proto/deployment.hpp"

namespace fical::agent::deploy {

/// What the start phase does with a container of the new color.
enum class ContainerAction {
  create,            // create and start it (removing what has its name first, see `replaces`)
  restart_retained,  // a rollback: start the stopped container that release left
  reuse_warm,        // a rollback inside keep_warm: it still runs that release; only switch
};
std::string_view to_string(ContainerAction action);

/// Where a container's env_file variables come from.
enum class EnvSource {
  current,   // today's env_file and env sources
  recorded,  // a rollback: the snapshot of the env the release ran with
};
std::string_view to_string(EnvSource source);

/// One container of the new color.
struct ContainerPlan {
  std::string service;
  std::string name;
  // repository:version; build mode fical/<app>-<service>:<commit>; a rollback of a release
  // that recorded its digest repository@sha256:...
  std::string image;
  bool pinned_to_digest = false;  // image is the recorded digest, not the tag
  // A promotion's built image (build mode): local, never pulled or built; the pull phase
  // checks that `image` is still exactly this image id.
  std::string expected_image_id;
  std::string network;  // "host" or a Docker network
  std::map<std::string, std::string> env;  // config env (+ PORT in host mode); env_file added at run
  std::map<std::string, std::string> labels;
  std::vector<std::string> command;
  std::optional<std::uint16_t> port;  // where the service listens (host port in host mode)
  proto::ServiceSpec spec;  // as configured (or as the release ran, for a rollback); recorded with it
  config::HealthCheck health;
  std::optional<config::BuildSpec> build;  // build mode: image is built, not pulled
  ContainerAction action = ContainerAction::create;
  // create: the release label of the container of this name that is removed first
  // ("?" when it has none); empty when there is none.
  std::optional<std::string> replaces;
  EnvSource env_source = EnvSource::current;
};

/// The one-off migration container, from the new image.
struct MigrationPlan {
  std::string service;
  std::string name;
  std::string image;
  std::string network;
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> labels;
  proto::ServiceSpec spec;  // the service's: volumes and user
  std::chrono::milliseconds timeout{};
};

/// What a rollback returns to, as the release recorded it.
struct RollbackPlan {
  std::string deployment_id;  // of the release: its env snapshot's key
  std::string env_hash;       // of the env_file it ran with
  std::vector<proto::SecretVersion> secret_versions;  // the versions of its env sources
  // Fetch those versions rather than today's: not current_env, and the release either kept
  // its env or recorded versions (a service's own sources are never in the snapshot).
  bool pin_secret_versions = false;
  EnvSource env_source = EnvSource::current;
  bool snapshot_missing = false;  // the recorded env was asked for but never recorded
  bool env_changed = false;       // today's env_file differs from the one it ran with
  // current_env with an env that may differ (a changed env_file, or env sources whose
  // versions may have moved): retained containers have the old env baked in.
  bool recreate_retained = false;
};

/// What a promotion runs: the live release of another environment, by its exact images.
struct PromotionPlan {
  std::string from_env;
  std::string of_deployment;  // the deployment that made the release live there
};

/// A canary instead of the full switch (canary_plan.hpp decides): after the health gate the
/// new color gets each step's share of the requests, judged from nginx's access log.
struct CanaryPlan {
  std::vector<config::CanaryStep> steps;  // then 100
  config::CanaryAnalysis analysis;
  std::string access_log;  // nginx.access_log
  std::string steps_from;  // "request", "env" or "default"
};

/// Everything a deployment of one environment will do, in order.
struct DeployPlan {
  std::string deployment_id;
  std::string app;
  std::string env;
  proto::DeploymentKind kind = proto::DeploymentKind::deploy;
  std::string version;
  std::string target_color;
  std::string live_color;                 // empty on the first deploy
  std::string live_version;
  bool reuse_warm_containers = false;     // rollback inside keep_warm: only switch
  bool current_env = false;               // rollback with today's env_file, not the recorded one
  // Build mode: the version is a git ref of this source; `source_ref` is what is checked
  // out (a rollback's recorded commit, else the version) and `commit` what it resolved to.
  // Images of services with a build are fical/<app>-<service>:<commit>.
  std::optional<config::Source> source;
  std::string source_ref;
  std::string commit;
  std::optional<RollbackPlan> rollback;   // set for rollbacks of a recorded release
  std::optional<PromotionPlan> promotion;  // set for promotions of a recorded release
  std::optional<MigrationPlan> migration;
  std::vector<ContainerPlan> containers;
  std::vector<router::UpstreamTarget> upstreams;           // after the switch
  std::vector<router::UpstreamTarget> previous_upstreams;  // to switch back to; empty on first
  std::optional<std::string> env_file;
  std::chrono::milliseconds drain{};
  std::chrono::milliseconds stop_timeout{};
  std::chrono::milliseconds keep_warm{};
  std::string verify_path;
  int retain = 5;
  std::optional<CanaryPlan> canary;  // none: the full switch at once
  std::string canary_skipped;        // a canary was asked for, and why there is none
};

/// A container of the target color as Docker showed it before planning.
struct FoundContainer {
  bool running = false;
  std::string release;  // its fical.release label; empty without one
};

/// What the planner needs to know that only I/O can tell; gathered before planning
/// (plan_facts.hpp), so a dry run and the real run plan from the same facts.
struct PlanFacts {
  // The release a rollback returns to: its services run with the specs and digests it
  // recorded (those it has), not today's. A promotion: the source env's release, whose
  // digests (or built image ids) run with the target env's own config.
  std::optional<proto::Release> recorded;
  std::string promoted_from_env;      // promotion: the env `recorded` is live in
  bool current_env = false;           // rollback: today's env, not the recorded one
  bool recorded_env_snapshot = false; // rollback: the env `recorded` ran with is kept
  bool env_file_changed = false;      // rollback: today's env_file differs from `recorded`'s
  std::string commit;                 // build mode: what source_ref resolved to; empty: not yet
  std::map<std::string, FoundContainer> target_containers;  // by name; absent: none
};

/// Plans a deploy of `version` (or a rollback to it, or a promotion of it) into the color
/// that is not live.
DeployPlan plan_deployment(const config::App& app, const config::Environment& env,
                           const store::EnvState& state, proto::DeploymentKind kind,
                           const std::string& version, const std::string& deployment_id,
                           const PlanFacts& facts = {});

/// Build mode: the ref a deployment checks out. A rollback rebuilds exactly what ran (the
/// commit `recorded` names), even if its ref moved since; otherwise the version. (A
/// promotion checks out nothing: it runs the images the source built.)
std::string source_ref(proto::DeploymentKind kind, const std::string& version, const proto::Release* recorded);

/// The images the pull phase fetches, once each: every container's that is not built,
/// and the migration's. A rollback pulls only those missing; a deploy pulls them all.
std::vector<std::string> images_to_pull(const DeployPlan& plan);

/// Container name -> its address on the environment's Docker network, for the containers
/// fical made that are running (routes.hpp reads them from Docker).
using ContainerAddresses = std::map<std::string, std::string>;

/// The upstream files that point every routed service of `env` at `color`. With host
/// networking a server is 127.0.0.1:<color port>. On a Docker network it is the
/// container's address from `addresses` (a down server when it has none); without
/// `addresses` (plans as shown) it is <container name>:<port>.
std::vector<router::UpstreamTarget> upstreams_for(const std::string& app, const config::Environment& env,
                                                  const std::string& color, const std::string& version,
                                                  const ContainerAddresses* addresses = nullptr);

/// The plan as shown to people (dry runs, the deployment record; plan_json.cpp). Never
/// includes env_file values; it names the file only.
nlohmann::json to_json(const DeployPlan& plan);

}  // namespace fical::agent::deploy
