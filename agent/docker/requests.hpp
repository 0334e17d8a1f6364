#pragma once
// Docker Engine API requests as data: each function builds the method, the unversioned
// target, extra headers and the body of one call. No I/O; unit tests assert on the data.
// Reference: https://docs.docker.com/engine/api/v1.41/
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/docker/specs.hpp"

namespace fical::agent::docker {

/// One HTTP request to the daemon. The transport adds Host, Content-Length and the /vX.Y prefix.
struct Request {
  std::string method;
  std::string target;  // unversioned: "/containers/create?name=web"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The value of a header added here, or "" (names compared case-insensitively).
  std::string header(std::string_view name) const;
  /// "POST /containers/create": for error messages; never includes the body or headers.
  std::string describe() const;
};

/// The target with the API version prefix, except /_ping which is unversioned.
std::string versioned_target(std::string_view api_version, std::string_view target);

/// Percent-encodes everything but unreserved characters (and those in `keep`).
std::string percent_encode(std::string_view text, std::string_view keep = "");
/// base64url with padding, as X-Registry-Auth wants it.
std::string base64url(std::string_view bytes);
/// The X-Registry-Auth value: base64url of {"username","password","serveraddress"}.
std::string registry_auth_header(const RegistryAuth& auth);

namespace requests {

Request ping();
Request version();
Request info();

Request pull(const PullSpec& spec);
Request inspect_image(std::string_view ref);
Request distribution(std::string_view ref, const std::optional<RegistryAuth>& auth);
Request tag_image(std::string_view source, std::string_view repo, std::string_view tag);
Request remove_image(std::string_view ref, bool force);
Request list_images(const ImageFilters& filters);

Request create_container(const ContainerSpec& spec);
Request start_container(std::string_view id);
/// Docker waits up to `timeout` before SIGKILL: the call's deadline must be longer.
Request stop_container(std::string_view id, std::chrono::seconds timeout);
Request kill_container(std::string_view id, std::string_view signal);
Request remove_container(std::string_view id, bool force);
Request inspect_container(std::string_view id);
Request list_containers(const ContainerFilters& filters);
Request rename_container(std::string_view id, std::string_view new_name);
Request wait_container(std::string_view id);  // condition=not-running

Request create_exec(std::string_view container, const ExecSpec& spec);
Request start_exec(std::string_view exec_id);  // attached: the body is the output stream
Request inspect_exec(std::string_view exec_id);

Request logs(std::string_view container, const LogOptions& options);
Request events(const EventFilters& filters);
/// The tar context goes in the body (moved in by the caller).
Request build(const BuildOptions& options, std::string context_tar);

Request inspect_network(std::string_view name);
Request connect_network(std::string_view network, std::string_view container,
                        const std::vector<std::string>& aliases);

}  // namespace requests

}  // namespace fical::agent::docker
