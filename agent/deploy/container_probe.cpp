#include "agent/deploy/container_probe.hpp"

#include <chrono>


namespace fical::agent::deploy {
namespace {

/// The exit code of the container's last "die" event. Docker's restart policy resets
/// State.ExitCode to 0 when it starts the container again, so the event is where the code
/// that made it restart survives. nullopt when Docker does not say.
std::optional<int> last_exit_code(docker::DockerEngine& docker, Host& host, const std::string& container) {
  using namespace std::chrono;
  docker::EventFilters filters;
  filters.types = {"container"};
  filters.events = {"die"};
  filters.containers = {container};
  auto now = duration_cast<seconds>(host.wall_now().time_since_epoch()).count();
  filters.since = now - 3600;  // a container in its health gate was created within the hour
  filters.until = now + 1;
  std::optional<int> code;
  try {
    docker.events(filters, seconds(2), [&](const docker::Event& event) {
      auto found = event.attributes.find("exitCode");
      if (found != event.attributes.end()) {
        try {
          code = std::stoi(found->second);
        } catch (const std::exception&) {
        }
      }
      return true;
    });
  } catch (const std::exception&) {  // only a better message is lost
  }
  return code;
}

}  // namespace

ProbeOutcome probe_container(docker::DockerEngine& docker, Host& host, const ProbeTarget& target, Clock& clock) {
  using std::chrono::milliseconds;
  auto info = docker.inspect_container(target.container);
  if (!info) return ProbeOutcome::fatal("container " + target.container + " disappeared");
  const auto& state = info->state;
  auto exited = "container exited with code " + std::to_string(state.exit_code) +
                (state.oom_killed ? " (out of memory)" : "") + (state.error.empty() ? "" : ": " + state.error);
  if (info->restart_count > 0 || state.restarting) {
    // Docker's restart policy brought it back: it keeps exiting.
    if (state.running && state.exit_code == 0) {
      if (auto code = last_exit_code(docker, host, info->id.empty() ? target.container : info->id)) {
        exited = "container exited with code " + std::to_string(*code);
      }
    }
    return ProbeOutcome::fatal(exited + " and was restarted " + std::to_string(info->restart_count) + " time(s)");
  }
  if (!state.running) return ProbeOutcome::fatal(exited);
  const auto& health = target.health;
  if (health.docker_healthcheck) {
    if (state.health.status == "unhealthy") {
      return ProbeOutcome::fatal("Docker HEALTHCHECK reports unhealthy: " + state.health.last_output);
    }
    if (state.health.status.empty()) {
      return ProbeOutcome::fatal("health.docker is set but the image has no HEALTHCHECK");
    }
    if (state.health.status != "healthy") return ProbeOutcome::not_yet("Docker HEALTHCHECK: " + state.health.status);
  }
  if (!health.http_path.empty() && target.port) {
    auto answer = host.http_probe(target.http_host, *target.port, health.http_path, std::chrono::seconds(2));
    auto where = "GET http://" + target.http_host + ":" + std::to_string(*target.port) + health.http_path;
    if (answer.status == 0 && answer.refused) return ProbeOutcome::closed(where + ": " + answer.error);
    if (answer.status == 0) return ProbeOutcome::not_yet(where + ": " + answer.error);
    if (answer.status < 200 || answer.status >= 400) {
      return ProbeOutcome::not_yet(where + " answered " + std::to_string(answer.status) + ": " +
                                   answer.body.substr(0, 200));
    }
  }
  if (!health.exec.empty()) {
    docker::ExecSpec spec;
    spec.cmd = health.exec;
    spec.timeout = std::chrono::seconds(10);
    auto result = docker.exec(target.container, spec);
    if (result.exit_code != 0) {
      return ProbeOutcome::not_yet("health exec exited " + std::to_string(result.exit_code) + ": " +
                                   docker::joined(result.output).substr(0, 200));
    }
  }
  auto up = std::chrono::duration_cast<milliseconds>(clock.now() - target.started);
  if (up < health.min_healthy) {
    return ProbeOutcome::not_yet("running for " + std::to_string(up.count()) + "ms of the " +
                                 std::to_string(health.min_healthy.count()) + "ms min_healthy");
  }
  return ProbeOutcome::ready();
}

}  // namespace fical::agent::deploy
