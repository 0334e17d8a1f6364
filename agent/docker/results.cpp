#include "agent/docker/results.hpp"

#include "agent/docker/engine.hpp"

namespace fical::agent::docker {

std::string joined(const std::vector<LogLine>& lines, std::optional<LogStream> only) {
  std::string out;
  for (const auto& line : lines) {
    if (only && line.stream != *only) continue;
    if (!out.empty()) out += '\n';
    out += line.text;
  }
  return out;
}

std::vector<LogLine> collect_logs(DockerEngine& engine, const std::string& container,
                                  LogOptions options) {
  options.follow = false;
  std::vector<LogLine> lines;
  engine.logs(container, options, [&](const LogLine& line) {
    lines.push_back(line);
    return true;
  });
  return lines;
}

}  // namespace fical::agent::docker
