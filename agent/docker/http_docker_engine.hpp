#pragma once
// The real DockerEngine: the Engine API over the daemon's unix socket.
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/docker/engine.hpp"
#include "agent/docker/requests.hpp"

namespace fical::agent::docker {

class Transport;

/// Talks to dockerd over HTTP/1.1 on its unix socket (keep-alive pool, per-call deadlines,
/// API version negotiated once via /_ping and again after a reconnect). Thread-safe.
class HttpDockerEngine : public DockerEngine {
 public:
  /// The newest API version this client speaks; the daemon's lower one wins.
  static constexpr const char* max_api_version = "1.44";

  struct Options {
    std::string socket_path = "/var/run/docker.sock";
    std::chrono::milliseconds call_timeout{std::chrono::seconds(30)};  // plain calls
  };

  explicit HttpDockerEngine(Options options);
  /// For tests: any transport (the engine owns it).
  HttpDockerEngine(Options options, std::unique_ptr<Transport> transport);
  ~HttpDockerEngine() override;

  VersionInfo version() override;
  DaemonInfo info() override;
  void pull(const PullSpec& spec, const PullCallback& on_progress) override;
  std::optional<ImageInfo> inspect_image(const std::string& ref) override;
  DistributionInfo distribution(const std::string& ref, const std::optional<RegistryAuth>& auth) override;
  void tag_image(const std::string& source, const std::string& repo,
                 const std::string& tag) override;
  void remove_image(const std::string& ref, bool force) override;
  std::vector<ImageSummary> list_images(const ImageFilters& filters) override;
  BuildResult build(const BuildOptions& options, std::string context_tar,
                    const BuildCallback& on_output) override;

  std::string create_container(const ContainerSpec& spec) override;
  void start_container(const std::string& id) override;
  void stop_container(const std::string& id, std::chrono::seconds timeout) override;
  void kill_container(const std::string& id, const std::string& signal) override;
  void remove_container(const std::string& id, bool force) override;
  std::optional<ContainerInfo> inspect_container(const std::string& id) override;
  std::vector<ContainerSummary> list_containers(const ContainerFilters& filters) override;
  void rename_container(const std::string& id, const std::string& new_name) override;
  int wait_container(const std::string& id, std::chrono::milliseconds timeout) override;

  ExecResult exec(const std::string& container, const ExecSpec& spec) override;
  RunResult run_once(const RunSpec& spec) override;
  StreamEnd logs(const std::string& container, const LogOptions& options,
                 const LogCallback& on_line) override;
  StreamEnd events(const EventFilters& filters, std::chrono::milliseconds timeout,
                   const EventCallback& on_event) override;

  std::optional<NetworkInfo> inspect_network(const std::string& name) override;
  void connect_network(const std::string& network, const std::string& container,
                       const std::vector<std::string>& aliases) override;

 private:
  struct Answer {
    int status = 0;
    std::string body;
  };
  /// The negotiated version, negotiating first when needed.
  std::string api_version();
  /// Sends with the versioned target; 2xx (and the statuses in `also_ok`) return, others throw.
  Answer call(Request request, std::chrono::milliseconds timeout,
              std::initializer_list<int> also_ok = {});
  /// Reads a JSON-lines stream to its end, handing each object to `on_object` (false: stop).
  /// Returns false when stopped.
  bool json_stream(Request request, std::chrono::milliseconds timeout,
                   const std::function<bool(const nlohmann::json&)>& on_object);
  /// Reads container output (multiplexed or raw) into lines. With `deadline_ends_stream`
  /// (follow) the deadline ends the stream normally; otherwise it is an error.
  StreamEnd output_stream(Request request, std::chrono::milliseconds timeout, bool raw,
                          bool timestamps, const LogCallback& on_line, bool deadline_ends_stream);

  Options options_;
  std::unique_ptr<Transport> transport_;
  std::mutex version_mutex_;
  std::string negotiated_;           // guarded by version_mutex_
  std::uint64_t negotiated_at_ = 0;  // transport's broken_connections() then
};

}  // namespace fical::agent::docker
