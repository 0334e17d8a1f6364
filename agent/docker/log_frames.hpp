#pragma once
// Container output as Docker sends it: 8-byte multiplexed frames (no TTY) or raw bytes
// (TTY), turned into LogLines.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/docker/docker_error.hpp"
#include "agent/docker/results.hpp"

namespace fical::agent::docker {

/// A piece of one stream's bytes, as one frame carried it.
struct Frame {
  LogStream stream = LogStream::out;
  std::string payload;
};

/// Incremental parser of the multiplexed stream: header [stream, 0, 0, 0, size BE32] then
/// `size` bytes. Stream 0 and 1 are stdout, 2 and 3 (daemon errors) stderr. Any other header,
/// or a frame over `max_frame` bytes, throws DockerError(malformed). One per stream.
class FrameDemuxer {
 public:
  static constexpr std::size_t default_max_frame = 16 * 1024 * 1024;

  explicit FrameDemuxer(std::size_t max_frame = default_max_frame) : max_frame_(max_frame) {}

  std::vector<Frame> feed(std::string_view chunk);
  /// True between frames: a stream that ends otherwise was truncated.
  bool at_boundary() const { return header_fill_ == 0 && remaining_ == 0; }

 private:
  std::size_t max_frame_;
  std::array<unsigned char, 8> header_{};
  std::size_t header_fill_ = 0;
  std::size_t remaining_ = 0;  // payload bytes still due for the current frame
  LogStream stream_ = LogStream::out;
};

/// Cuts each stream's bytes into lines ("\n", a trailing "\r" dropped). A line longer than
/// `max_line` comes out in pieces marked partial, so memory stays bounded. With
/// `timestamps`, the leading "<RFC 3339> " of each line goes into LogLine::timestamp.
class LineAssembler {
 public:
  static constexpr std::size_t default_max_line = 256 * 1024;

  explicit LineAssembler(bool timestamps = false, std::size_t max_line = default_max_line)
      : timestamps_(timestamps), max_line_(max_line) {}

  std::vector<LogLine> feed(LogStream stream, std::string_view bytes);
  /// The unterminated rest of each stream, at the end.
  std::vector<LogLine> finish();

 private:
  LogLine make_line(LogStream stream, std::string text, bool partial) const;

  bool timestamps_;
  std::size_t max_line_;
  std::array<std::string, 2> pending_;  // by stream
  std::array<bool, 2> continuing_{};    // the pending line follows an emitted partial piece
};

}  // namespace fical::agent::docker
