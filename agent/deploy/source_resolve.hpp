#pragma once
// Build mode, before planning: the resolve phase fetches the app's source and resolves the
// plan's ref to a commit (and its release tree); the commit is an input of the plan.
#include <filesystem>
#include <string>

#include "agent/config/config.hpp"
#include "agent/deploy/clock.hpp"
#include "agent/deploy/deployment_log.hpp"
#include "agent/deploy/source_build.hpp"

namespace fical::agent::deploy {

/// Enters the resolve phase of `log` and checks out `ref` (for `version`), saying what it
/// resolved to. Throws StepError (the reason ends with `serving`).
SourceCheckout resolve_source(DeploymentLog& log, Clock& clock, const std::filesystem::path& state_dir,
                              const std::string& app, const config::Source& source, const std::string& ref,
                              const std::string& version, const std::string& serving);

/// A dry run's resolution: fetches and resolves `ref` to a commit, writes no tree. Throws
/// source::SourceError.
std::string resolve_commit(const std::filesystem::path& state_dir, const std::string& app,
                           const config::Source& source, const std::string& ref);

}  // namespace fical::agent::deploy
