#pragma once
// What the deploy engine asks Docker for: typed inputs of the DockerEngine calls.
// Pure data; requests.hpp turns them into HTTP requests.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fical::agent::docker {

using std::chrono::milliseconds;

/// Credentials for a private registry, sent as X-Registry-Auth.
struct RegistryAuth {
  std::string username;
  std::string password;
  std::string serveraddress;  // e.g. "ghcr.io" or "127.0.0.1:5000"
};

/// POST /images/create. The tag is always sent: an empty tag would pull every tag.
struct PullSpec {
  std::string image;  // repository, e.g. "ghcr.io/owner/app"
  std::string tag = "latest";
  std::optional<RegistryAuth> auth;
  milliseconds timeout{std::chrono::minutes(15)};
};

/// A Docker HEALTHCHECK override; durations go to Docker in nanoseconds.
struct HealthcheckSpec {
  std::vector<std::string> test;  // e.g. {"CMD-SHELL", "wget -q -O- localhost/health"}
  milliseconds interval{0};       // 0: Docker's default
  milliseconds timeout{0};
  milliseconds start_period{0};
  int retries = 0;
};

/// One published port (bridge networks only; host networking ignores it).
struct PortBinding {
  int container_port = 0;
  std::string protocol = "tcp";
  std::string host_ip = "127.0.0.1";
  int host_port = 0;  // 0: Docker picks one
};

/// POST /containers/create.
struct ContainerSpec {
  std::string name;
  std::string image;  // a reference: "repo:tag" or an image id
  std::vector<std::string> env;  // "KEY=value"
  std::map<std::string, std::string> labels;
  std::vector<std::string> cmd;         // empty: the image's CMD
  std::vector<std::string> entrypoint;  // empty: the image's ENTRYPOINT
  std::string restart_policy = "no";    // no, always, unless-stopped, on-failure
  int restart_max_retries = 0;          // with on-failure
  std::string network = "host";         // "host" or a named network
  std::vector<std::string> network_aliases;  // named networks only
  std::optional<HealthcheckSpec> healthcheck;
  std::vector<PortBinding> ports;
  bool tty = false;
  std::vector<std::string> binds;   // "volume:/path[:ro]" or "/host/path:/path[:ro]"
  std::int64_t memory_bytes = 0;    // 0: no limit
  std::int64_t nano_cpus = 0;
  std::string user;
  std::string stop_signal;
  bool init = false;
  std::map<std::string, std::string> log_options;  // json-file driver options (max-size, max-file)
};

/// Filters for list calls: label "key" or "key=value", matched all at once.
struct ContainerFilters {
  std::vector<std::string> labels;
  std::string name;  // substring match, as Docker does
  bool all = true;   // include stopped containers
};

struct ImageFilters {
  std::vector<std::string> labels;
  std::string reference;  // e.g. "ghcr.io/owner/app" or "ghcr.io/owner/app:v*"
  bool dangling = false;
};

/// An exec inside a running container, attached to stdout and stderr.
struct ExecSpec {
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string user;
  milliseconds timeout{std::chrono::minutes(1)};
};

/// A one-off container (migrations): created, started, awaited, logged, removed.
struct RunSpec {
  ContainerSpec container;  // its restart policy is forced to "no"
  milliseconds timeout{std::chrono::minutes(10)};
};

struct LogOptions {
  bool include_stdout = true;
  bool include_stderr = true;
  std::optional<int> tail;           // last N lines; none: all
  std::optional<std::int64_t> since;  // unix seconds
  bool timestamps = false;
  bool follow = false;
  milliseconds timeout{std::chrono::seconds(30)};  // with follow: how long to follow
};

/// GET /events filters; empty lists are not sent.
struct EventFilters {
  std::vector<std::string> types;    // "container", "image", "network" ...
  std::vector<std::string> events;   // "die", "health_status", "start" ...
  std::vector<std::string> labels;   // "key" or "key=value"
  std::vector<std::string> containers;  // names or ids
  std::optional<std::int64_t> since;  // unix seconds (the daemon keeps the last 256)
  std::optional<std::int64_t> until;  // unix seconds: with it, past events only, then the stream ends
};

/// POST /build with the legacy builder (version=1: BuildKit needs a gRPC session).
struct BuildOptions {
  std::vector<std::string> tags;  // "repo:tag"
  std::string dockerfile = "Dockerfile";
  std::string target;
  std::map<std::string, std::string> buildargs;
  std::map<std::string, std::string> labels;
  bool nocache = false;
  bool pull = false;
  milliseconds timeout{std::chrono::minutes(30)};
};

}  // namespace fical::agent::docker
