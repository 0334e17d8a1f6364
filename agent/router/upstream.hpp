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
  std::vector<std::string> servers;  // "127.0.0.1:18001" or "web-prod-api-blue:3000"
};

/// "{app}-{env}-{service}": the name the user's site config proxy_passes to.
std::string upstream_name(const std::string& app, const std::string& env, const std::string& service);

/// "{app}-{env}-{service}.conf"
std::string upstream_file_name(const UpstreamTarget& target);

/// The file's text: a header comment naming color and release, and the upstream block.
std::string render_upstream(const UpstreamTarget& target);

}  // namespace fical::agent::router
