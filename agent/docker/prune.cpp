#include "agent/docker/prune.hpp"

#include "agent/docker/engine.hpp"

namespace fical::agent::docker {

std::vector<std::string> images_to_prune(const std::vector<ImageSummary>& images,
                                         const std::string& repository,
                                         const std::set<std::string>& keep_tags) {
  std::set<std::string> chosen;
  auto prefix = repository + ":";
  for (const auto& image : images) {
    for (const auto& ref : image.repo_tags) {
      // "repo:tag" exactly: "repo-other:tag" or "repo/sub:tag" are other repositories.
      if (ref.size() <= prefix.size() || ref.compare(0, prefix.size(), prefix) != 0) continue;
      auto tag = ref.substr(prefix.size());
      if (tag.find('/') != std::string::npos) continue;
      if (!keep_tags.count(tag)) chosen.insert(ref);
    }
  }
  return {chosen.begin(), chosen.end()};
}

std::vector<std::string> prune_app_images(DockerEngine& engine, const std::string& repository,
                                          const std::set<std::string>& keep_tags) {
  ImageFilters filters;
  filters.reference = repository;
  std::vector<std::string> removed;
  for (const auto& ref : images_to_prune(engine.list_images(filters), repository, keep_tags)) {
    try {
      engine.remove_image(ref, false);
      removed.push_back(ref);
    } catch (const DockerError& e) {
      if (!e.is_conflict()) throw;  // in use by a (stopped) container: keep it
    }
  }
  return removed;
}

}  // namespace fical::agent::docker
