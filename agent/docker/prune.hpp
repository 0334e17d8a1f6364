#pragma once
// Pruning an app's images beyond the releases it keeps: a pure choice, then the removals.
#include <set>
#include <string>
#include <vector>

#include "agent/docker/results.hpp"

namespace fical::agent::docker {

class DockerEngine;

/// The "repository:tag" references of `repository` in `images` whose tag is not in
/// `keep_tags`. Other repositories' images are never chosen. Sorted, no duplicates.
std::vector<std::string> images_to_prune(const std::vector<ImageSummary>& images,
                                         const std::string& repository,
                                         const std::set<std::string>& keep_tags);

/// Lists `repository`'s images and removes those chosen by images_to_prune (untagging; the
/// layers go with the last tag). An image still used by a container (409) is skipped.
/// Returns the references removed.
std::vector<std::string> prune_app_images(DockerEngine& engine, const std::string& repository,
                                          const std::set<std::string>& keep_tags);

}  // namespace fical::agent::docker
