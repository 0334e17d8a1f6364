// The executor's rollback-only steps, as planned (plan.hpp's RollbackPlan): the release
// runs with the env it ran with (or today's when asked) and from the image digests it ran.
#include "agent/deploy/executor.hpp"
#include "agent/deploy/step_error.hpp"

namespace fical::agent::deploy {

void Executor::prepare_rollback(const RollbackPlan& rollback) {
  report_pinned_images();
  if (plan_.current_env) {
    pin_rollback_secrets(rollback);
    if (rollback.recreate_retained) {
      log_.info("rolling back with today's env (current_env), " +
                std::string(rollback.env_changed ? "whose env_file differs from the one " : "whose env sources may differ from those ") +
                    plan_.version + " ran with: its containers are recreated",
                {{"event", "env_chosen"}, {"env_source", "current"}, {"env_changed", rollback.env_changed},
                 {"recreate_retained", true}});
    }
    return;
  }
  if (rollback.env_source == EnvSource::current) {
    if (rollback.snapshot_missing) {
      log_.warn("the env " + plan_.version + " ran with was not recorded: using today's env_file",
                {{"event", "env_chosen"}, {"env_source", "current"}, {"snapshot_missing", true}});
    }
    pin_rollback_secrets(rollback);
    return;
  }
  auto recorded = deps_.store.load_env_snapshot(plan_.app, plan_.env, rollback.deployment_id);
  if (!recorded) {
    throw StepError("the env " + plan_.version + " ran with is no longer recorded (it was when planned); " +
                    serving());
  }
  env_file_vars_ = std::move(*recorded);
  env_hash_ = rollback.env_hash;
  pin_rollback_secrets(rollback);
  log_.info("rolling back with the env " + plan_.version + " ran with" +
            (rollback.env_changed ? "; the env_file has changed since (rollback with current_env: true uses today's)"
                                  : ""),
            {{"event", "env_chosen"}, {"env_source", "recorded"}, {"env_changed", rollback.env_changed}});
}

void Executor::report_pinned_images() {
  for (const auto& c : plan_.containers) {
    if (!c.pinned_to_digest) continue;
    auto ran = plan_.promotion ? " runs in " + plan_.promotion->from_env : std::string(" ran");
    log_.info(c.service + " runs " + c.image + ", the image " + plan_.version + ran + " (its tag may have moved since)",
              {{"event", "image_pinned"}, {"service", c.service}, {"image", c.image}});
  }
}

}  // namespace fical::agent::deploy
