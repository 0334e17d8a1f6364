#pragma once
// Fetches an environment's env sources (aws_secret, then ssm_parameters) through the AWS
// CLI: today's values, or the values at the versions a release recorded.
#include <vector>

#include "agent/config/config.hpp"
#include "agent/secrets/aws_cli.hpp"
#include "agent/secrets/env_sources.hpp"

namespace fical::agent::secrets {

/// Runs one CLI call per source (per 10 pinned parameters) and reads the answers; throws
/// SourceError naming the source and the AWS error. Holds references only: as thread-safe
/// as the AwsCli it is given (SpawnAwsCli is).
class EnvSourceFetcher {
 public:
  EnvSourceFetcher(AwsCli& cli, const config::AwsOptions& options) : cli_(cli), options_(options) {}

  /// Today's values of every source, in the order they apply.
  std::vector<SourceValues> fetch_current(const config::EnvSources& env);
  /// The values at the `pinned` versions, from the sources configured today (their
  /// region and endpoint); throws when the release's sources are not configured any more.
  std::vector<SourceValues> fetch_pinned(const config::EnvSources& env,
                                         const std::vector<proto::SecretVersion>& pinned);

 private:
  std::string call(const std::vector<std::string>& argv, const std::string& label);
  AwsCli& cli_;
  const config::AwsOptions& options_;
};

/// The variables of all sources, applied in order.
EnvVars combined(const std::vector<SourceValues>& sources);
/// The versions of all sources, in order.
std::vector<proto::SecretVersion> versions_of(const std::vector<SourceValues>& sources);

}  // namespace fical::agent::secrets
