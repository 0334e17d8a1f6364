#pragma once
// The deploy engine's only way to touch Docker.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/docker/docker_error.hpp"
#include "agent/docker/results.hpp"
#include "agent/docker/specs.hpp"

namespace fical::agent::docker {

/// Callbacks of streaming calls: return false to stop the stream (the connection is closed,
/// which cancels a pull or build on the daemon's side).
using PullCallback = std::function<bool(const PullProgress&)>;
using BuildCallback = std::function<bool(const BuildOutput&)>;
using LogCallback = std::function<bool(const LogLine&)>;
using EventCallback = std::function<bool(const Event&)>;

/// The Docker Engine operations fical needs. Every call is synchronous (it blocks until done
/// or its deadline) and thread-safe (several threads may call at once). Failures throw
/// DockerError (kinds: unreachable, timeout, http, stream, malformed, cancelled). Callbacks
/// run on the calling thread. The real one is HttpDockerEngine; tests use a fake.
class DockerEngine {
 public:
  virtual ~DockerEngine() = default;

  /// GET /_ping then /version: the daemon answers; versions and the negotiated API version.
  virtual VersionInfo version() = 0;
  /// GET /info: the daemon's data-root and storage driver.
  virtual DaemonInfo info() = 0;

  // Images.
  /// Pulls spec.image:spec.tag; errors inside the progress stream throw kind stream; a
  /// callback returning false throws kind cancelled.
  virtual void pull(const PullSpec& spec, const PullCallback& on_progress = {}) = 0;
  /// nullopt when the image is not present.
  virtual std::optional<ImageInfo> inspect_image(const std::string& ref) = 0;
  /// GET /distribution/{ref}/json: the digest the registry has for ref, without a pull.
  virtual DistributionInfo distribution(const std::string& ref, const std::optional<RegistryAuth>& auth) = 0;
  virtual void tag_image(const std::string& source, const std::string& repo,
                         const std::string& tag) = 0;
  /// A missing image counts as removed; an image in use throws http 409 (unless force).
  virtual void remove_image(const std::string& ref, bool force = false) = 0;
  virtual std::vector<ImageSummary> list_images(const ImageFilters& filters = {}) = 0;
  /// Builds from a tar of the context (see build_context.hpp); errorDetail throws kind stream.
  virtual BuildResult build(const BuildOptions& options, std::string context_tar,
                            const BuildCallback& on_output = {}) = 0;

  // Containers.
  /// Returns the new container's id. A missing image throws http 404 (create never pulls);
  /// a taken name throws http 409.
  virtual std::string create_container(const ContainerSpec& spec) = 0;
  /// Starting a running container is success (Docker's 304).
  virtual void start_container(const std::string& id) = 0;
  /// Waits up to `timeout` for a graceful exit, then Docker kills. A stopped container is
  /// success (304), and so is a missing one (404: already gone, e.g. removed by hand).
  virtual void stop_container(const std::string& id, std::chrono::seconds timeout) = 0;
  /// A container that is not running is success (Docker's 409 for kill).
  virtual void kill_container(const std::string& id, const std::string& signal = "SIGKILL") = 0;
  /// A missing container is success.
  virtual void remove_container(const std::string& id, bool force = true) = 0;
  /// nullopt when the container does not exist.
  virtual std::optional<ContainerInfo> inspect_container(const std::string& id) = 0;
  virtual std::vector<ContainerSummary> list_containers(const ContainerFilters& filters) = 0;
  virtual void rename_container(const std::string& id, const std::string& new_name) = 0;
  /// Blocks until the container is not running, at most `timeout` (then throws kind timeout);
  /// returns its exit code.
  virtual int wait_container(const std::string& id, std::chrono::milliseconds timeout) = 0;

  // Exec, one-off runs, logs, events.
  /// Runs a command in a running container; its output and exit code.
  virtual ExecResult exec(const std::string& container, const ExecSpec& spec) = 0;
  /// A one-off container (a migration): create, start, wait up to spec.timeout (then kill,
  /// timed_out = true), collect its output, remove it. Throws only when Docker fails.
  virtual RunResult run_once(const RunSpec& spec) = 0;
  /// Container output, line by line (demultiplexed; raw when the container has a TTY).
  /// With options.follow the call returns when the container stops, the callback says
  /// stop, or options.timeout passes (StreamEnd::deadline, not an error).
  virtual StreamEnd logs(const std::string& container, const LogOptions& options,
                         const LogCallback& on_line) = 0;
  /// Daemon events matching `filters`, until the callback says stop or `timeout` passes.
  virtual StreamEnd events(const EventFilters& filters, std::chrono::milliseconds timeout,
                           const EventCallback& on_event) = 0;

  // Networks.
  /// nullopt when the network does not exist.
  virtual std::optional<NetworkInfo> inspect_network(const std::string& name) = 0;
  virtual void connect_network(const std::string& network, const std::string& container,
                               const std::vector<std::string>& aliases = {}) = 0;
};

/// Non-follow logs collected into a vector.
std::vector<LogLine> collect_logs(DockerEngine& engine, const std::string& container,
                                  LogOptions options);

}  // namespace fical::agent::docker
