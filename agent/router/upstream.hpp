#pragma once
// nginx upstream files as data: what fical writes into upstream_dir. Pure.
#include <string>
#include <vector>

namespace fical::agent::router {

/// The servers one service's upstream points at, and what they run (for the comment).
struct UpstreamTarget {
  std::string app;
  std::string env;
  std::string service;
  std::string color;
  std::string version;
  // "127.0.0.1:18001", or on a Docker network the container's address "172.20.0.5:3000".
  // Empty: nothing to send requests to (the container is not running): the file has one
  // `down` server, so nginx -t passes and the route answers 502 at once.
  std::vector<std::string> servers;
  std::string down_reason;  // with no servers: why, for the file's comment
};

/// "{app}-{env}-{service}": the name the user's site config proxy_passes to.
std::string upstream_name(const std::string& app, const std::string& env, const std::string& service);

/// "{app}-{env}-{service}.conf"
std::string upstream_file_name(const UpstreamTarget& target);

/// The file's text: a header comment naming color and release, and the upstream block.
std::string render_upstream(const UpstreamTarget& target);

}  // namespace fical::agent::router
