#pragma once
// The agent's configuration (agent.yaml), as parsed and validated by parse_config().
// Pure data: no I/O here. Durations are std::chrono; names are already validated.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/canary_options.hpp"
#include "proto/service_spec.hpp"

namespace fical::agent::config {

using std::chrono::milliseconds;

/// One address the API listens on: "127.0.0.1:7070", "[::1]:7070" or "unix:/run/fical/agent.sock".
struct ListenAddress {
  enum class Kind { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host;      // tcp: an IP literal
  std::uint16_t port = 0;
  std::string path;      // unix_socket
  std::string text;      // as written in the config, for messages
  bool is_loopback() const;  // unix sockets count as local
};

/// TLS for the API: PEM certificate chain and private key files.
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
};

/// How the API server listens and the limits it applies to every connection.
struct HttpOptions {
  std::vector<ListenAddress> listen;
  std::optional<TlsFiles> tls;
  bool insecure = false;  // allow a non-loopback TCP address without TLS
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  milliseconds read_timeout{10'000};   // whole request, headers and body
  milliseconds idle_timeout{60'000};   // keep-alive between requests
  std::size_t max_connections = 256;
};

/// What a token may do. promote: promotions only (deploying a version another env runs);
/// deploy also promotes; admin implies everything.
enum class Scope { read, deploy, admin, promote };

/// A bearer token: only its SHA-256 is stored. `apps` empty means every app.
struct Token {
  std::string id;
  std::string sha256_hex;  // 64 lowercase hex digits
  std::vector<Scope> scopes;
  std::vector<std::string> apps;
};

/// Registry credentials for pulls, sent as X-Registry-Auth. Read from a root-only file.
struct RegistryAuth {
  std::string server;         // e.g. ghcr.io or 127.0.0.1:5000
  std::string username;
  std::string password_file;  // the password (or token) is the file's first line
};

struct DockerOptions {
  std::string socket = "/var/run/docker.sock";
  milliseconds request_timeout{30'000};
  long min_free_disk_mb = 1024;  // a deploy refuses to start with less free in the data-root
  std::vector<RegistryAuth> registries;
};

/// How nginx is told to load new upstream files. Never through a shell.
struct NginxReload {
  enum class Kind { pidfile, container, command };
  Kind kind = Kind::pidfile;
  std::string pidfile = "/run/nginx.pid";  // SIGHUP to the master
  std::string container;                   // docker exec <container> nginx -s reload
  std::vector<std::string> command;        // an argv run directly
};

struct NginxOptions {
  std::string upstream_dir;   // the agent writes only {app}-{env}-{service}.conf files here
  NginxReload reload;
  // argv that validates the whole configuration (`nginx -t`); in container mode it runs
  // inside the container.
  std::vector<std::string> test_command{"nginx", "-t", "-q"};
  // Base URL of nginx for the verify phase, e.g. http://127.0.0.1:80; empty skips verify.
  std::string verify_url;
  // nginx's fical_canary access log (docs/canary.md), as the agent sees it; needed by canaries.
  std::string access_log;
  // Maintenance mode (docs/canary.md): the port of the loopback servers nginx answers an
  // env's routes on, and an operator's page (a path as nginx sees it; empty: fical's own).
  std::uint16_t maintenance_port = 7079;
  std::string maintenance_page;
};

/// How a service proves it is ready. Any of the three may be set; all set must pass.
struct HealthCheck {
  std::string http_path;              // GET on the container's port answers 2xx
  bool docker_healthcheck = false;    // wait for State.Health.Status == healthy
  std::vector<std::string> exec;      // exits 0 inside the container
  milliseconds min_healthy{0};        // still running after this long (workers)
  // Probes start fast and back off to max_interval: loopback probes are cheap, and a
  // long interval would see a ready app up to that much late (every deploy pays it).
  milliseconds first_interval{100};
  milliseconds max_interval{200};
  milliseconds deadline{60'000};
};

struct Migrate {
  std::vector<std::string> command;
  milliseconds timeout{600'000};
};

/// Build mode: how to build this service's image from the app's git source.
struct BuildSpec {
  std::string context = ".";
  std::string dockerfile = "Dockerfile";
  std::string target;
  std::map<std::string, std::string> args;
};

/// An env source: a Secrets Manager secret whose SecretString is a JSON object of keys and
/// values. `endpoint_url` empty: AWS's own endpoint for the region.
struct AwsSecretSource {
  std::string id;  // the secret's name or ARN
  std::string region;
  std::string endpoint_url;
};

/// An env source: every Parameter Store parameter under `path` (recursively; SecureString
/// decrypted), each a variable named by the last part of the parameter's name.
struct SsmParametersSource {
  std::string path;  // starts and ends with /
  std::string region;
  std::string endpoint_url;
};

/// The env sources in AWS of an environment or of one service, applied in this order.
struct EnvSources {
  std::optional<AwsSecretSource> aws_secret;
  std::optional<SsmParametersSource> ssm_parameters;
  bool empty() const { return !aws_secret && !ssm_parameters; }
};

/// How the agent runs the AWS CLI for env sources (credentials: as the CLI finds them).
struct AwsOptions {
  std::string cli = "/usr/bin/aws";  // Debian's awscli package
  milliseconds timeout{20'000};      // each call; the child is killed after it
};

struct Service {
  std::string name;
  std::string image;                         // repository; the release version is the tag
  std::optional<BuildSpec> build;
  std::optional<std::uint16_t> port;         // container port; absent for workers
  std::optional<std::uint16_t> blue_port;    // host networking: each color's own port,
  std::optional<std::uint16_t> green_port;   // passed to the container as PORT
  HealthCheck health;
  std::optional<Migrate> migrate;            // at most one service of an env migrates
  proto::ServiceSpec spec;                   // command, env, labels, volumes, limits...
  EnvSources sources;                        // over the environment's, below `env:`
};

struct Environment {
  std::string name;
  std::string network = "host";         // "host" or a Docker network name
  std::optional<std::string> env_file;  // secrets: never logged or returned
  // Env sources in AWS, applied over the env_file, then each service's own sources; a
  // service's `env:` wins over all of them. Their values are never logged or returned.
  EnvSources sources;
  int retain = 5;                       // releases kept for rollback without a pull
  milliseconds drain{10'000};
  milliseconds keep_warm{0};            // old color stays running this long after a deploy
  milliseconds stop_timeout{10'000};
  std::string verify_path = "/";        // requested through nginx after the switch
  std::optional<CanaryPolicy> canary;   // `strategy: canary`; none: blue-green
  std::vector<Service> services;

  bool host_network() const { return network == "host"; }
  /// Whether the environment or any of its services has env sources in AWS.
  bool has_env_sources() const;
  const Service* find_service(const std::string& service) const;
};

/// Build mode: where an app's source lives.
struct Source {
  std::string repo;                       // https://, ssh://, file:// or a local path
  std::optional<std::string> token_file;  // https token, root-only file
  std::optional<std::string> ssh_key_file;
};

struct App {
  std::string name;
  std::optional<Source> source;
  std::vector<Environment> environments;

  const Environment* find_environment(const std::string& env) const;
};

/// Optional CloudWatch embedded-metric-format (EMF) lines, one per ended deployment,
/// appended to a file the CloudWatch agent ships. Off while emf_file is empty.
struct MetricsOptions {
  std::string emf_file;               // absolute; rotated at 10 MiB to .1 .. .5
  std::string emf_namespace = "fical";
};

/// The `state:` section: how long deployment records (and their events) are kept in
/// state_dir/fical.db. The newest keep_deployments of each environment are kept, and with
/// keep_days > 0 none older than that; one a kept release refers to is never deleted.
/// The audit trail has its own retention: the newest keep_audit_records, none older than
/// keep_audit_days.
struct StateOptions {
  long keep_deployments = 1000;  // 0: no count limit
  long keep_days = 0;            // 0: no age limit
  long keep_audit_records = 100000;  // 0: no count limit
  long keep_audit_days = 365;        // 0: no age limit
};

struct Config {
  HttpOptions http;
  std::vector<Token> tokens;
  DockerOptions docker;
  std::string state_dir = "/var/lib/fical";
  NginxOptions nginx;
  std::vector<App> apps;
  MetricsOptions metrics;
  AwsOptions aws;
  StateOptions state;

  const App* find_app(const std::string& app) const;
};

/// One problem found in a configuration, with the path of the key that has it:
/// "apps.web.environments.staging.services.backend.port: must be 1-65535".
struct ConfigError {
  std::string path;
  std::string message;
  std::string to_string() const { return path.empty() ? message : path + ": " + message; }
};

/// Either a valid Config or every error found (parsing does not stop at the first).
struct ParseResult {
  std::optional<Config> config;
  std::vector<ConfigError> errors;
};

/// Parses agent.yaml text (YAML, or JSON which is YAML). Unknown keys are errors.
ParseResult parse_config(const std::string& text);

const char* to_string(Scope scope);

}  // namespace fical::agent::config
