#include "agent/docker/log_frames.hpp"

#include <algorithm>

namespace fical::agent::docker {

std::vector<Frame> FrameDemuxer::feed(std::string_view chunk) {
  std::vector<Frame> out;
  while (!chunk.empty()) {
    if (remaining_ == 0) {
      auto take = std::min(chunk.size(), header_.size() - header_fill_);
      std::copy_n(chunk.begin(), take, header_.begin() + header_fill_);
      header_fill_ += take;
      chunk.remove_prefix(take);
      if (header_fill_ < header_.size()) break;
      header_fill_ = 0;
      if (header_[0] > 3 || header_[1] != 0 || header_[2] != 0 || header_[3] != 0) {
        throw DockerError(DockerErrorKind::malformed,
                          "docker: bad multiplexed stream header (stream byte " +
                              std::to_string(header_[0]) + ")");
      }
      stream_ = header_[0] >= 2 ? LogStream::err : LogStream::out;
      std::size_t size = (std::size_t{header_[4]} << 24) | (std::size_t{header_[5]} << 16) |
                         (std::size_t{header_[6]} << 8) | std::size_t{header_[7]};
      if (size > max_frame_) {
        throw DockerError(DockerErrorKind::malformed,
                          "docker: a multiplexed frame of " + std::to_string(size) +
                              " bytes exceeds the limit of " + std::to_string(max_frame_));
      }
      remaining_ = size;
      continue;
    }
    auto take = std::min(chunk.size(), remaining_);
    // Consecutive frames of one stream within a chunk are merged (a chunk is bounded).
    if (!out.empty() && out.back().stream == stream_) {
      out.back().payload.append(chunk.substr(0, take));
    } else {
      out.push_back(Frame{stream_, std::string(chunk.substr(0, take))});
    }
    remaining_ -= take;
    chunk.remove_prefix(take);
  }
  return out;
}

LogLine LineAssembler::make_line(LogStream stream, std::string text, bool partial) const {
  LogLine line{stream, {}, std::move(text), partial};
  if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
  if (timestamps_) {
    auto space = line.text.find(' ');
    // RFC 3339 timestamps start with a digit and have no spaces: "2024-01-02T03:04:05.6Z".
    if (space != std::string::npos && space <= 40 && !line.text.empty() &&
        line.text[0] >= '0' && line.text[0] <= '9') {
      line.timestamp = line.text.substr(0, space);
      line.text.erase(0, space + 1);
    }
  }
  return line;
}

std::vector<LogLine> LineAssembler::feed(LogStream stream, std::string_view bytes) {
  std::vector<LogLine> out;
  auto index = static_cast<std::size_t>(stream);
  auto& pending = pending_[index];
  while (!bytes.empty()) {
    auto newline = bytes.find('\n');
    auto piece = bytes.substr(0, newline);
    auto room = max_line_ - pending.size();
    if (piece.size() > room) {
      pending.append(piece.substr(0, room));
      // Only the first piece of a long line carries a timestamp.
      auto line = continuing_[index] ? LogLine{stream, {}, std::move(pending), true}
                                     : make_line(stream, std::move(pending), true);
      line.partial = true;
      out.push_back(std::move(line));
      pending.clear();
      continuing_[index] = true;
      bytes.remove_prefix(room);
      continue;
    }
    pending.append(piece);
    if (newline == std::string_view::npos) break;
    auto line = continuing_[index] ? LogLine{stream, {}, std::move(pending), false}
                                   : make_line(stream, std::move(pending), false);
    if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
    out.push_back(std::move(line));
    pending.clear();
    continuing_[index] = false;
    bytes.remove_prefix(newline + 1);
  }
  return out;
}

std::vector<LogLine> LineAssembler::finish() {
  std::vector<LogLine> out;
  for (std::size_t index = 0; index < pending_.size(); ++index) {
    if (pending_[index].empty()) continue;
    auto stream = static_cast<LogStream>(index);
    out.push_back(continuing_[index] ? LogLine{stream, {}, std::move(pending_[index]), false}
                                     : make_line(stream, std::move(pending_[index]), false));
    pending_[index].clear();
    continuing_[index] = false;
  }
  return out;
}

}  // namespace fical::agent::docker
