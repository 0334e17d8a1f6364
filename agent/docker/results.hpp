#pragma once
// What Docker answers, as the deploy engine needs it: typed outputs of DockerEngine calls.
// Pure data; parse.hpp fills them from Docker's JSON, ignoring unknown fields.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fical::agent::docker {

struct VersionInfo {
  std::string version;              // engine version, e.g. "20.10.24+dfsg1"
  std::string api_version;          // the daemon's highest API version
  std::string min_api_version;
  std::string negotiated_version;   // what this client uses: min(ours, daemon's)
};

/// What GET /info says about the daemon that fical needs.
struct DaemonInfo {
  std::string name;             // the host's name as Docker knows it
  std::string docker_root_dir;  // the data-root, where images and containers live
  std::string storage_driver;
};

/// What the registry says of an image, asked through the daemon without pulling it.
struct DistributionInfo {
  std::string digest;      // "sha256:..." of the manifest (or index) the tag points at
  std::string media_type;
};

struct ImageInfo {
  std::string id;  // "sha256:..."
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;  // only for pulled or pushed images
  std::map<std::string, std::string> labels;
  std::int64_t size = 0;
};

/// One row of GET /images/json.
struct ImageSummary {
  std::string id;
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  std::map<std::string, std::string> labels;
  std::int64_t created = 0;  // unix seconds
};

/// One line of a pull's progress stream.
struct PullProgress {
  std::string status;  // "Pulling fs layer", "Downloading", "Pull complete", "Digest: ..."
  std::string id;      // layer id or tag; may be empty
  std::int64_t current = 0;  // bytes, with progressDetail
  std::int64_t total = 0;
};

/// One item of a build's output stream.
struct BuildOutput {
  std::string stream;    // text the builder printed (may hold several lines)
  std::string image_id;  // from aux.ID, on the line that announces the built image
};

struct BuildResult {
  std::string image_id;  // "sha256:..."
  std::string output;    // the whole text output
};

struct ContainerHealth {
  std::string status;  // starting, healthy, unhealthy; empty without a healthcheck
  int failing_streak = 0;
  std::string last_output;  // output of the last probe
};

struct ContainerState {
  std::string status;  // created, running, paused, restarting, removing, exited, dead
  bool running = false;
  bool restarting = false;
  bool oom_killed = false;
  int exit_code = 0;
  int pid = 0;
  std::string error;
  std::string started_at;   // RFC 3339
  std::string finished_at;
  ContainerHealth health;
};

/// A published port as Docker reports it in NetworkSettings.Ports.
struct PublishedPort {
  std::string container_port;  // "8080/tcp"
  std::string host_ip;
  int host_port = 0;
};

struct ContainerInfo {
  std::string id;
  std::string name;  // without Docker's leading "/"
  std::string image;     // the image id the container runs
  std::string image_ref;  // Config.Image: what it was created from
  std::map<std::string, std::string> labels;
  std::vector<std::string> env;
  bool tty = false;
  int restart_count = 0;
  std::string network_mode;
  std::vector<std::string> networks;  // names of attached networks
  std::map<std::string, std::vector<std::string>> network_aliases;  // by network name
  std::map<std::string, std::string> network_ips;  // IPv4 address by network name, while running
  std::vector<PublishedPort> ports;
  ContainerState state;
};

/// One row of GET /containers/json.
struct ContainerSummary {
  std::string id;
  std::string name;  // the first name, without "/"
  std::string image;
  std::string state;   // running, exited ...
  std::string status;  // "Up 2 minutes"
  std::map<std::string, std::string> labels;
  std::int64_t created = 0;
};

enum class LogStream { out, err };  // the container's stdout and stderr

/// One line of container output (the trailing newline removed).
struct LogLine {
  LogStream stream = LogStream::out;
  std::string timestamp;  // RFC 3339 nano, when asked for timestamps
  std::string text;
  bool partial = false;  // a piece of a line longer than the line limit
};

struct ExecResult {
  int exit_code = -1;
  std::vector<LogLine> output;
};

struct RunResult {
  int exit_code = -1;
  bool timed_out = false;
  std::vector<LogLine> output;
};

/// The lines of one stream joined with "\n" (e.g. a migration's stderr for an error message).
std::string joined(const std::vector<LogLine>& lines, std::optional<LogStream> only = {});

/// One object of GET /events.
struct Event {
  std::string type;    // container, image, network ...
  std::string action;  // "die", "start", "health_status: healthy" ...
  std::string id;      // Actor.ID
  std::map<std::string, std::string> attributes;  // Actor.Attributes: labels, name, exitCode
  std::int64_t time_nano = 0;
};

struct NetworkInfo {
  std::string id;
  std::string name;
  std::string driver;
  std::map<std::string, std::string> containers;  // container id -> name
};

/// How a stream call (logs, events) ended when it did not fail.
enum class StreamEnd {
  finished,   // the daemon ended the stream (container stopped, non-follow logs done)
  stopped,    // the callback returned false
  deadline,   // the follow time given by the caller ran out
};

}  // namespace fical::agent::docker
