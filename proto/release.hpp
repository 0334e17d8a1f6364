#pragma once
// Releases (what ran live) and environment status, as recorded and served.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "proto/deployment.hpp"
#include "proto/service_spec.hpp"
#include "proto/time.hpp"

namespace fical::proto {

/// The image one service of a release runs.
struct ServiceImage {
  std::string service;
  std::string image;     // reference with tag, e.g. ghcr.io/o/web:v1.2.3
  std::string digest;    // repo digest (sha256:...) when pulled from a registry
  std::string image_id;  // local image id
};

/// The version of one env source a release ran with (never a value): a Secrets Manager
/// secret's VersionId, or one Parameter Store parameter's Version.
struct SecretVersion {
  std::string source;   // "aws_secret" or "ssm_parameter"
  std::string name;     // the secret id as configured, or the parameter's full name
  std::string version;  // VersionId, or the parameter's Version as decimal text
  std::string service{};  // a service's own source; empty: the environment's
  bool operator==(const SecretVersion&) const = default;
};

/// A release that went live in an environment.
struct Release {
  std::string version;
  std::string color;
  std::vector<ServiceImage> images;
  std::string commit;         // build mode: the git commit built; empty otherwise
  std::string deployment_id;  // the deployment that made it live
  std::string deployed_by;    // token id
  TimePoint deployed_at{};
  std::string env_hash;  // keyed hash of the env_file it ran with; empty without one
  std::map<std::string, std::string> upstreams;  // service -> the upstream file nginx loaded
  // Newer fields have default initializers: records and tests that build a Release
  // positionally need not name them.
  std::map<std::string, ServiceSpec> specs{};    // service -> how its container ran
  std::vector<SecretVersion> secret_versions{};  // aws_secret / ssm_parameters it ran with
};

/// One container of an environment, as Docker reports it.
struct ContainerStatus {
  std::string service;
  std::string color;
  std::string name;
  std::string id;
  std::string version;
  std::string state;   // Docker's State.Status: running, exited...
  std::string health;  // healthy, unhealthy, starting, or empty without a healthcheck
};

/// GET /v1/apps/{app}/envs/{env}.
/// How current EnvStatus::containers is: as Docker reports them now; as Docker last
/// reported them (it does not answer now); or not known (Docker has not answered since
/// the agent started, so `containers` is empty and says nothing).
enum class ContainersView { current, stale, unknown };
std::string_view to_string(ContainersView view);
/// Unknown words read as unknown; a record without the field (an older agent) as current.
ContainersView containers_view_from(std::string_view text);

/// An env in maintenance mode: its routes answer 503 with this message and Retry-After.
struct MaintenanceStatus {
  std::string message;
  std::int64_t retry_after_seconds = 600;
  TimePoint since{};
  std::string by;  // the token id that turned it on
};

struct EnvStatus {
  std::string app;
  std::string env;
  std::optional<Release> live;
  std::vector<ContainerStatus> containers;
  ContainersView containers_view = ContainersView::current;
  std::optional<Deployment> running;  // without events
  // Not part of the answer: equal twice for one app/env, the answer is the same (what it
  // was made from did not change); empty when it cannot be told (a deployment runs).
  std::string cache_key;
  std::optional<MaintenanceStatus> maintenance;  // nullopt: not in maintenance
};

/// One environment in GET /v1/apps.
struct EnvSummary {
  std::string name;
  std::string live_version;  // empty when nothing is live yet
  std::string live_color;
  std::string running_deployment;  // id, or empty
};

struct AppSummary {
  std::string name;
  std::vector<EnvSummary> environments;
};

/// The newest release of `version` in a history kept oldest first, or nullptr.
const Release* latest_release(const std::vector<Release>& history, const std::string& version);

/// The index of the oldest release a history of `size` keeps when it retains `retain`:
/// releases before it are pruned (their images, env snapshots and source trees).
std::size_t first_retained(std::size_t size, int retain);

nlohmann::json to_json(const ServiceImage& image);
nlohmann::json to_json(const SecretVersion& version);
nlohmann::json to_json(const std::vector<SecretVersion>& versions);  // a JSON array
nlohmann::json to_json(const Release& release);
nlohmann::json to_json(const ContainerStatus& container);
nlohmann::json to_json(const EnvStatus& status);
nlohmann::json to_json(const MaintenanceStatus& maintenance);
MaintenanceStatus maintenance_from_json(const nlohmann::json& json);
nlohmann::json to_json(const AppSummary& app);

// These throw nlohmann::json::exception on a missing or mistyped field.
Release release_from_json(const nlohmann::json& json);
EnvStatus env_status_from_json(const nlohmann::json& json);
AppSummary app_summary_from_json(const nlohmann::json& json);

}  // namespace fical::proto
