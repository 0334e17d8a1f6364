#pragma once
// Docker's JSON answers into results.hpp types. Unknown fields are ignored; missing ones
// keep their defaults; a body that is not JSON, or a field of the wrong type, throws
// DockerError(malformed) naming the call.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/docker/results.hpp"

namespace fical::agent::docker::parse {

/// The body as JSON, or DockerError(malformed) naming `call`.
nlohmann::json json_body(std::string_view body, std::string_view call);

VersionInfo version(std::string_view body);
DaemonInfo daemon_info(std::string_view body);
ImageInfo image_info(std::string_view body);
DistributionInfo distribution_info(std::string_view body);
std::vector<ImageSummary> image_summaries(std::string_view body);
ContainerInfo container_info(std::string_view body);
std::vector<ContainerSummary> container_summaries(std::string_view body);
NetworkInfo network_info(std::string_view body);
/// {"Id": ...} of a create (container or exec).
std::string created_id(std::string_view body, std::string_view call);
/// {"StatusCode": n} of a wait; Error.Message becomes a stream error.
int wait_status(std::string_view body);
/// ExitCode of GET /exec/{id}/json; nullopt while it still runs.
std::optional<int> exec_exit_code(std::string_view body);

/// One progress line of a pull. A line with errorDetail or error throws DockerError(stream).
PullProgress pull_progress(const nlohmann::json& line);
/// One output line of a build. errorDetail or error throws DockerError(stream).
BuildOutput build_output(const nlohmann::json& line);
/// One object of the events stream.
Event event(const nlohmann::json& line);

}  // namespace fical::agent::docker::parse
