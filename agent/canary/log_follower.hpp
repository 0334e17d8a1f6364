#pragma once
// Follows a growing log file (nginx's access log) from a position, line by line: across
// logrotate's rename (the old file is read to its end first), a copytruncate (read again
// from the start), and a partial last line (kept until its newline arrives).
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fical::agent::canary {

/// What one poll read.
struct FollowedLines {
  std::vector<std::string> lines;  // complete lines, without the newline
  std::size_t dropped_long = 0;    // lines longer than max_line_bytes, skipped whole
  bool rotated = false;            // the path now names another file, or it was truncated
  bool missing = false;            // the path does not exist (yet)
};

/// Reads appended lines on each poll(). Owns at most one partial line and one read buffer
/// (bounded by max_line_bytes and max_read_bytes). Not thread-safe: one poller owns it.
class LogFollower {
 public:
  /// Starts at the end of the file as it is now (only what is appended from now on
  /// counts), or at its start when `from_start`.
  LogFollower(std::string path, bool from_start = false, std::size_t max_line_bytes = 16 * 1024,
              std::size_t max_read_bytes = 1024 * 1024);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  /// Reads what was appended since the last poll, at most max_read_bytes of it.
  FollowedLines poll();

  std::uint64_t offset() const { return offset_; }

 private:
  bool open_current(bool at_end);
  void read_available(FollowedLines& out, std::size_t& budget);
  void take_bytes(const char* data, std::size_t size, FollowedLines& out);

  std::string path_;
  std::size_t max_line_bytes_;
  std::size_t max_read_bytes_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  std::uint64_t offset_ = 0;
  std::string partial_;
  bool skipping_long_ = false;  // inside a line already too long: drop up to its newline
  bool start_at_end_;
};

}  // namespace fical::agent::canary
