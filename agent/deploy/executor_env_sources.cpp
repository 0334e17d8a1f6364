// The executor's env sources in AWS (aws_secret, ssm_parameters) of the environment and of
// each service: fetched in preflight over the env_file's variables, their versions recorded
// with the release; a rollback fetches the versions the release ran with (today's with
// current_env) and says when they differ. env_hash stays the env_file's: a source's change
// shows as a changed version instead. Only key names, source names and versions reach the
// log, never a value.
#include "agent/deploy/executor.hpp"
#include "agent/deploy/step_error.hpp"
#include "agent/secrets/fetcher.hpp"

namespace fical::agent::deploy {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::vector<proto::SecretVersion> of_service(const std::vector<proto::SecretVersion>& versions,
                                             const std::string& service) {
  std::vector<proto::SecretVersion> out;
  for (const auto& v : versions) {
    if (v.service == service) out.push_back(v);
  }
  return out;
}

std::vector<proto::SecretVersion> for_service(std::vector<proto::SecretVersion> versions, const std::string& service) {
  for (auto& v : versions) v.service = service;
  return versions;
}

}  // namespace

EnvVars Executor::env_for(const std::string& service) const {
  auto it = service_vars_.find(service);
  if (it == service_vars_.end()) return env_file_vars_;
  auto vars = env_file_vars_;
  secrets::overlay(vars, it->second);
  return vars;
}

void Executor::read_todays_env_sources() {
  secrets::SpawnAwsCli cli;
  secrets::EnvSourceFetcher fetcher(cli, deps_.config.aws);
  std::vector<std::string> labels;
  std::size_t keys = 0;
  auto fetch = [&](const config::EnvSources& sources, const std::string& service) {
    try {
      auto fetched = fetcher.fetch_current(sources);
      for (const auto& s : fetched) labels.push_back(s.label + (service.empty() ? "" : " (" + service + ")"));
      auto versions = for_service(secrets::versions_of(fetched), service);
      secret_versions_.insert(secret_versions_.end(), versions.begin(), versions.end());
      auto vars = secrets::combined(fetched);
      keys += vars.size();
      return vars;
    } catch (const secrets::SourceError& e) {
      throw StepError("env source " + std::string(e.what()) + (service.empty() ? "" : " (service " + service + ")") +
                      "; nothing was changed; " + serving());
    }
  };
  const auto& env = environment();
  if (!env.sources.empty()) secrets::overlay(env_file_vars_, fetch(env.sources, ""));
  for (const auto& s : env.services) {
    if (!s.sources.empty()) service_vars_[s.name] = fetch(s.sources, s.name);
  }
  todays_secret_versions_ = secret_versions_;
  log_.info("env sources fetched: " + joined(labels) + " (" + std::to_string(keys) + " keys)",
            {{"env_sources", labels}, {"keys", keys}, {"secret_versions", proto::to_json(secret_versions_)}});
}

void Executor::pin_rollback_secrets(const RollbackPlan& release) {
  bool have_snapshot = release.env_source == EnvSource::recorded;
  auto differ = secrets::changed_versions(release.secret_versions, todays_secret_versions_);
  nlohmann::json data{{"pinned", proto::to_json(release.secret_versions)},
                      {"today", proto::to_json(todays_secret_versions_)},
                      {"differ", differ}};
  if (!release.pin_secret_versions) {
    if (!differ.empty()) {
      log_.info("rolling back with today's secret versions, which differ from the ones " + plan_.version +
                    " ran with: " + joined(differ),
                data);
    }
    return;
  }
  secret_versions_ = release.secret_versions;
  pin_service_secrets(release);
  auto pinned = of_service(release.secret_versions, "");
  if (pinned.empty()) {  // it ran without environment sources: the snapshot is its env
    if (!release.secret_versions.empty()) log_.info("rolling back with the secret versions " + plan_.version + " ran with", data);
    return;
  }
  auto before = env_file_vars_;
  try {
    secrets::SpawnAwsCli cli;
    secrets::EnvSourceFetcher fetcher(cli, deps_.config.aws);
    secrets::overlay(env_file_vars_, secrets::combined(fetcher.fetch_pinned(environment().sources, pinned)));
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

// A service's own sources are not in the env snapshot: they are fetched by version, and a
// version that is gone fails the rollback (current_env runs today's).
void Executor::pin_service_secrets(const RollbackPlan& release) {
  secrets::SpawnAwsCli cli;
  secrets::EnvSourceFetcher fetcher(cli, deps_.config.aws);
  service_vars_.clear();
  for (const auto& s : environment().services) {
    auto pinned = of_service(release.secret_versions, s.name);
    if (pinned.empty()) continue;
    try {
      service_vars_[s.name] = secrets::combined(fetcher.fetch_pinned(s.sources, pinned));
    } catch (const secrets::SourceError& e) {
      throw StepError("env source " + std::string(e.what()) + " (service " + s.name + ", the version " + plan_.version +
                      " ran with; rollback with current_env uses today's); nothing was changed; " + serving());
    }
  }
}

}  // namespace fical::agent::deploy
