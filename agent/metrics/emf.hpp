#pragma once
// CloudWatch embedded metric format (EMF): one JSON line per ended deployment, for the
// CloudWatch agent to ship from a file. CloudWatch Logs extracts the metrics the line's
// "_aws" member names; the other members stay searchable in Logs Insights.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "proto/deployment.hpp"

namespace fical::agent::metrics {

inline constexpr const char* kDefaultEmfNamespace = "fical";

/// The EMF record of one ended deployment: the metrics DeploymentDuration, HealthGateDuration
/// (Milliseconds; the latter only when a health gate ran), DeploymentSucceeded,
/// DeploymentFailed and Rollback (Count) under the dimensions App and Env, timestamped at
/// the end; plus DeploymentId, Kind, Result, Version, PreviousVersion, Color, Actor,
/// Reason and PhaseDurations (ms by phase) as properties. std::nullopt for a deployment
/// that has not ended and for dry runs. Pure.
std::optional<nlohmann::json> emf_record(const proto::Deployment& deployment,
                                         const std::string& cloudwatch_namespace = kDefaultEmfNamespace);

/// emf_record() as one line of JSON (no newline); invalid UTF-8 is replaced.
std::optional<std::string> emf_line(const proto::Deployment& deployment,
                                    const std::string& cloudwatch_namespace = kDefaultEmfNamespace);

}  // namespace fical::agent::metrics
