#pragma once
// What a dry run says about the images a deployment would pull: the digest each tag has in
// its registry now (asked through Docker, nothing pulled) and whether it is already here.
#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "agent/deploy/plan.hpp"
#include "agent/docker/engine.hpp"

namespace fical::agent::deploy {

/// [{"image", "digest", "local"}], or "error" in place of the digest when the registry
/// cannot say (the dry run still succeeds: it changes nothing either way). Build-mode
/// images are not listed: they are built, not pulled.
nlohmann::json pull_preview(docker::DockerEngine& docker, const config::Config& config, const DeployPlan& plan);

}  // namespace fical::agent::deploy
