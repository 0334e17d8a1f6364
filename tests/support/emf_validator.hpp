#pragma once
// A checker of the CloudWatch embedded metric format (EMF) specification, for tests that
// validate the lines the agent writes for the CloudWatch agent.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fical::testing {

/// The ways `record` breaks the EMF specification; empty when it conforms. Checks: an "_aws"
/// object with an integer ms Timestamp and a non-empty CloudWatchMetrics array of
/// directives {Namespace (1-255 chars), Dimensions (arrays of at most 30 keys), Metrics (at
/// most 100 of {Name, Unit?, StorageResolution?})} and no other members; every dimension key
/// a top-level string of 1-1024 chars; every metric a top-level number or array of numbers;
/// each Unit one CloudWatch knows.
std::vector<std::string> emf_violations(const nlohmann::json& record);

/// Every metric name the directives of `record` declare, in order.
std::vector<std::string> emf_metric_names(const nlohmann::json& record);

}  // namespace fical::testing
