#pragma once
// A dry run's view of the env: which keys the deployment would add, remove or change
// compared with the live release's env, by name only. Reads the env_file and fetches the
// env sources in AWS (aws_secret, ssm_parameters) as the deployment would.
#include <nlohmann/json.hpp>
#include <string>

#include "agent/config/config.hpp"
#include "agent/store/state_store.hpp"
#include "proto/release.hpp"

namespace fical::agent::deploy {

/// `target` is the release a rollback runs (nullptr for a deploy: today's env); with
/// `current_env` a rollback runs today's env too. Never throws: a source that cannot be
/// read is reported as {"error": "..."} (without any value).
nlohmann::json env_preview(const config::Config& config, const std::string& app, const config::Environment& env,
                           store::StateStore& store, const proto::Release* target, bool current_env);

}  // namespace fical::agent::deploy
