// The executor's env sources in AWS (aws_secret, ssm_parameters): fetched in preflight over
// the env_file's variables, their versions recorded with the release; a rollback fetches
// the versions the release ran with (today's with current_env) and says when they differ.
// env_hash stays the env_file's: a source's change shows as a changed version instead.
// Only key names, source names and versions reach the log, never a value.
#include "agent/deploy/executor.hpp"
#include "agent/deploy/step_error.hpp"
#include "agent/secrets/fetcher.hpp"

namespace fical::agent::deploy {
namespace {

nlohmann::json versions_json(const std::vector<proto::SecretVersion>& versions) {
  auto out = nlohmann::json::array();
  for (const auto& v : versions) out.push_back(proto::to_json(v));
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

void Executor::read_todays_env_sources() {
  secrets::SpawnAwsCli cli;
  secrets::EnvSourceFetcher fetcher(cli, deps_.config.aws);
  std::vector<secrets::SourceValues> sources;
  try {
    sources = fetcher.fetch_current(environment());
  } catch (const secrets::SourceError& e) {
    throw StepError("env source " + std::string(e.what()) + "; nothing was changed; " + serving());
  }
  auto vars = secrets::combined(sources);
  secrets::overlay(env_file_vars_, vars);
  secret_versions_ = secrets::versions_of(sources);
  todays_secret_versions_ = secret_versions_;
  std::vector<std::string> labels;
  for (const auto& s : sources) labels.push_back(s.label);
  log_.info("env sources fetched: " + joined(labels) + " (" + std::to_string(vars.size()) + " keys)",
            {{"env_sources", labels}, {"keys", vars.size()}, {"secret_versions", versions_json(secret_versions_)}});
}

void Executor::pin_rollback_secrets(const proto::Release& release, bool have_snapshot) {
  auto differ = secrets::changed_versions(release.secret_versions, todays_secret_versions_);
  nlohmann::json data{{"pinned", versions_json(release.secret_versions)},
                      {"today", versions_json(todays_secret_versions_)},
                      {"differ", differ}};
  if (plan_.current_env || (release.secret_versions.empty() && !have_snapshot)) {
    if (!differ.empty()) {
      log_.info("rolling back with today's secret versions, which differ from the ones " + plan_.version +
                    " ran with: " + joined(differ),
                data);
    }
    return;
  }
  secret_versions_ = release.secret_versions;
  if (release.secret_versions.empty()) return;  // it ran without env sources: the snapshot is its env
  auto before = env_file_vars_;
  try {
    secrets::SpawnAwsCli cli;
    secrets::EnvSourceFetcher fetcher(cli, deps_.config.aws);
    secrets::overlay(env_file_vars_, secrets::combined(fetcher.fetch_pinned(environment(), release.secret_versions)));
  } catch (const secrets::SourceError& e) {
    if (!have_snapshot) {
      throw StepError("env source " + std::string(e.what()) + " (the version " + plan_.version +
                      " ran with); nothing was changed; " + serving());
    }
    env_file_vars_ = std::move(before);
    log_.warn("the secret versions " + plan_.version + " ran with cannot be fetched (" + e.what() +
                  "): using the values recorded with the release",
              data);
    return;
  }
  log_.info("rolling back with the secret versions " + plan_.version + " ran with" +
                (differ.empty() ? "" : "; today's differ: " + joined(differ)),
            data);
}

}  // namespace fical::agent::deploy
