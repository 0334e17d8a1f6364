#include "agent/deploy/source_build.hpp"

#include "agent/deploy/build_output.hpp"
#include "agent/docker/build_context.hpp"
#include "agent/source/release_tree.hpp"

namespace fical::agent::deploy {
namespace {
constexpr const char* kCommitLabel = "fical.commit";
constexpr const char* kBuildLabel = "fical.build";
}  // namespace

SourceCheckout checkout_source(const std::filesystem::path& state_dir, const std::string& app,
                               const config::Source& source, const std::string& ref) {
  source::GitMirror mirror(state_dir / "git" / (app + ".git"), source);
  SourceCheckout checkout;
  checkout.resolution = mirror.resolve(ref);
  checkout.tree = source::ensure_release_tree(mirror, state_dir / "src" / app, checkout.resolution.commit,
                                              &checkout.tree_created);
  return checkout;
}

ServiceBuild build_service_image(docker::DockerEngine& docker, const std::string& repository,
                                 const std::string& commit, const std::string& version,
                                 const config::BuildSpec& build, const std::filesystem::path& tree,
                                 const BuildHooks& hooks, std::vector<std::string>* last_lines) {
  ServiceBuild result;
  result.image = repository + ":" + commit;
  auto fingerprint = build_fingerprint(build);
  if (auto existing = docker.inspect_image(result.image)) {
    auto label = existing->labels.find(kBuildLabel);
    if (label != existing->labels.end() && label->second == fingerprint) {
      result.image_id = existing->id;
      if (version != commit) docker.tag_image(result.image, repository, version);
      return result;
    }
  }
  auto context = source::context_directory(tree, build.context);
  docker::BuildOptions options;
  options.tags = {result.image};
  if (version != commit) options.tags.push_back(repository + ":" + version);
  options.dockerfile = build.dockerfile;
  options.target = build.target;
  options.buildargs = build.args;
  options.labels = {{kCommitLabel, commit}, {kBuildLabel, fingerprint}};
  BuildProgress progress;
  if (hooks.on_start) hooks.on_start();
  try {
    auto built = docker.build(options, docker::tar_directory(context), [&](const docker::BuildOutput& out) {
      for (const auto& line : progress.feed(out.stream)) {
        if (hooks.on_step) hooks.on_step(line);
      }
      return !hooks.keep_going || hooks.keep_going();
    });
    result.image_id = built.image_id;
  } catch (...) {
    if (last_lines) *last_lines = progress.last_lines();
    throw;
  }
  result.built = true;
  result.steps = progress.steps();
  result.cached_steps = progress.cached_steps();
  if (result.image_id.empty()) {
    if (auto info = docker.inspect_image(result.image)) result.image_id = info->id;
  }
  return result;
}

}  // namespace fical::agent::deploy
