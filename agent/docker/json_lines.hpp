#pragma once
// Splits Docker's JSON-lines streams (pull progress, build output, events) into objects.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/docker/docker_error.hpp"

namespace fical::agent::docker {

/// Incremental splitter of newline-separated JSON objects: fed chunks split anywhere, it
/// returns each complete object once. A line over `max_line` bytes, or one that is not a
/// JSON object, throws DockerError(malformed). Not thread-safe: one per stream.
class JsonLineSplitter {
 public:
  static constexpr std::size_t default_max_line = 1024 * 1024;

  explicit JsonLineSplitter(std::size_t max_line = default_max_line) : max_line_(max_line) {}

  /// The objects completed by this chunk, in order.
  std::vector<nlohmann::json> feed(std::string_view chunk);
  /// At the end of the stream: the last object when it had no newline; throws when the
  /// stream stopped inside an object (a truncated line).
  std::vector<nlohmann::json> finish();

 private:
  void take_line(std::string_view line, std::vector<nlohmann::json>& out) const;

  std::size_t max_line_;
  std::string pending_;  // bytes after the last newline
};

}  // namespace fical::agent::docker
