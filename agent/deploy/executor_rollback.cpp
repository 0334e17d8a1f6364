// The executor's rollback-only steps: the release runs with the env it ran with (or today's
// when asked) and from the image digests it ran, even if its tag has moved since.
#include <algorithm>

#include "agent/deploy/executor.hpp"
#include "agent/secrets/env_sources.hpp"

namespace fical::agent::deploy {

void Executor::prepare_rollback(const std::string& todays_env_hash) {
  auto history = deps_.store.load_releases(plan_.app, plan_.env);
  const auto* release = proto::latest_release(history, plan_.version);
  if (!release) return;
  choose_rollback_env(*release, todays_env_hash);
  pin_rollback_images(*release);
}

void Executor::choose_rollback_env(const proto::Release& release, const std::string& todays_env_hash) {
  bool changed = release.env_hash != todays_env_hash ||
                 !secrets::changed_versions(release.secret_versions, todays_secret_versions_).empty();
  if (plan_.current_env) {
    pin_rollback_secrets(release, false);
    if (changed) {
      recreate_retained_ = true;
      log_.info("rolling back with today's env_file (current_env), which differs from the env " + plan_.version +
                " ran with: its containers are recreated");
    }
    return;
  }
  auto recorded = deps_.store.load_env_snapshot(plan_.app, plan_.env, release.deployment_id);
  if (!recorded) {
    if (plan_.env_file) log_.warn("the env " + plan_.version + " ran with was not recorded: using today's env_file");
    pin_rollback_secrets(release, false);
    return;
  }
  env_file_vars_ = std::move(*recorded);
  env_hash_ = release.env_hash;
  pin_rollback_secrets(release, true);
  log_.info("rolling back with the env " + plan_.version + " ran with" +
            (changed ? "; the env_file has changed since (rollback with current_env: true uses today's)" : ""));
}

void Executor::pin_rollback_images(const proto::Release& release) {
  for (std::size_t i = 0; i < plan_.containers.size(); ++i) {
    auto& c = plan_.containers[i];
    if (c.build) continue;  // build mode rebuilds the recorded commit
    auto recorded = std::find_if(release.images.begin(), release.images.end(),
                                 [&](const auto& image) { return image.service == c.service && !image.digest.empty(); });
    if (recorded == release.images.end()) continue;
    auto pinned = split_reference(c.image).first + "@" + recorded->digest;
    log_.info(c.service + " runs " + pinned + ", the image " + plan_.version + " ran (its tag may have moved since)");
    c.image = pinned;
    plan_.images.at(i) = pinned;
  }
}

}  // namespace fical::agent::deploy
