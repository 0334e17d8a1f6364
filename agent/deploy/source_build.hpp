#pragma once
// Build mode, I/O parts: fetch and resolve an app's source into an immutable release tree,
// and build (or find) a service's image from it through Docker.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/docker/engine.hpp"
#include "agent/source/git_mirror.hpp"

namespace fical::agent::deploy {

/// The commit a deployment builds and its release tree.
struct SourceCheckout {
  source::Resolution resolution;
  std::filesystem::path tree;
  bool tree_created = false;
};

/// Fetches the app's mirror (state_dir/git/<app>.git), resolves `ref`, and makes sure
/// state_dir/src/<app>/<commit>/ holds its tree. Throws source::SourceError.
SourceCheckout checkout_source(const std::filesystem::path& state_dir, const std::string& app,
                               const config::Source& source, const std::string& ref);

/// One service's image for a commit.
struct ServiceBuild {
  std::string image;     // repository:commit
  std::string image_id;
  bool built = false;    // false: the image of this commit and settings was already here
  int steps = 0;
  int cached_steps = 0;
};

/// What a build reports as it goes: that it starts (nothing was reusable), a step line;
/// whether to go on.
struct BuildHooks {
  std::function<void()> on_start;
  std::function<void(const std::string&)> on_step;
  std::function<bool()> keep_going;
};

/// Finds <repository>:<commit> built with the same settings, or builds it from the
/// context inside `tree`; tags it <repository>:<version> too. Throws DockerError (a failed
/// build: kind stream) or source::SourceError (a context leading outside the tree).
ServiceBuild build_service_image(docker::DockerEngine& docker, const std::string& repository,
                                 const std::string& commit, const std::string& version,
                                 const config::BuildSpec& build, const std::filesystem::path& tree,
                                 const BuildHooks& hooks, std::vector<std::string>* last_lines);

}  // namespace fical::agent::deploy
