#include "agent/docker/json_lines.hpp"

namespace fical::agent::docker {

namespace {

std::string_view trimmed(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<nlohmann::json> JsonLineSplitter::feed(std::string_view chunk) {
  std::vector<nlohmann::json> out;
  while (!chunk.empty()) {
    auto newline = chunk.find('\n');
    auto piece = chunk.substr(0, newline);
    if (pending_.size() + piece.size() > max_line_) {
      pending_.clear();
      throw DockerError(DockerErrorKind::malformed,
                        "docker: a stream line is longer than " + std::to_string(max_line_) +
                            " bytes");
    }
    if (newline == std::string_view::npos) {
      pending_.append(piece);
      break;
    }
    if (pending_.empty()) {
      take_line(piece, out);
    } else {
      pending_.append(piece);
      std::string line = std::move(pending_);
      pending_.clear();
      take_line(line, out);
    }
    chunk.remove_prefix(newline + 1);
  }
  return out;
}

std::vector<nlohmann::json> JsonLineSplitter::finish() {
  std::vector<nlohmann::json> out;
  std::string line = std::move(pending_);
  pending_.clear();
  take_line(line, out);
  return out;
}

void JsonLineSplitter::take_line(std::string_view line, std::vector<nlohmann::json>& out) const {
  line = trimmed(line);
  if (line.empty()) return;
  auto object = nlohmann::json::parse(line, nullptr, false);
  if (!object.is_object()) {
    auto shown = std::string(line.substr(0, 120));
    for (auto& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    throw DockerError(DockerErrorKind::malformed,
                      "docker: a stream line is not a JSON object: " + shown);
  }
  out.push_back(std::move(object));
}

}  // namespace fical::agent::docker
