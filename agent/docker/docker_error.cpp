#include "agent/docker/docker_error.hpp"

#include <nlohmann/json.hpp>

namespace fical::agent::docker {

std::string_view to_string(DockerErrorKind kind) {
  switch (kind) {
    case DockerErrorKind::unreachable: return "unreachable";
    case DockerErrorKind::timeout: return "timeout";
    case DockerErrorKind::http: return "http";
    case DockerErrorKind::stream: return "stream";
    case DockerErrorKind::malformed: return "malformed";
    case DockerErrorKind::cancelled: return "cancelled";
  }
  return "unknown";
}

DockerError::DockerError(DockerErrorKind kind, std::string what, int status,
                         std::string docker_message)
    : std::runtime_error(std::move(what)),
      kind_(kind),
      status_(status),
      docker_message_(std::move(docker_message)) {}

namespace {

// Keeps error texts readable: one line, bounded, printable.
std::string sanitized(std::string_view text, std::size_t limit = 300) {
  std::string out;
  for (char c : text.substr(0, limit)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  if (text.size() > limit) out += "...";
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

DockerError http_error(std::string_view call, int status, std::string_view body) {
  std::string message;
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("message") && json["message"].is_string()) {
    message = sanitized(json["message"].get<std::string>(), 2000);
  } else {
    message = sanitized(body);
  }
  std::string what = "docker: " + std::string(call) + " answered " + std::to_string(status);
  if (!message.empty()) what += ": " + message;
  return DockerError(DockerErrorKind::http, std::move(what), status, std::move(message));
}

}  // namespace fical::agent::docker
