#include "agent/canary/log_follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace fical::agent::canary {

LogFollower::LogFollower(std::string path, bool from_start, std::size_t max_line_bytes,
                         std::size_t max_read_bytes)
    : path_(std::move(path)),
      max_line_bytes_(max_line_bytes),
      max_read_bytes_(std::max<std::size_t>(max_read_bytes, 1)),
      start_at_end_(!from_start) {
  open_current(start_at_end_);
}

LogFollower::~LogFollower() {
  if (fd_ >= 0) ::close(fd_);
}

bool LogFollower::open_current(bool at_end) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  device_ = st.st_dev;
  inode_ = st.st_ino;
  offset_ = at_end ? static_cast<std::uint64_t>(st.st_size) : 0;
  partial_.clear();
  skipping_long_ = false;
  return true;
}

void LogFollower::take_bytes(const char* data, std::size_t size, FollowedLines& out) {
  while (size > 0) {
    const char* newline = static_cast<const char*>(std::memchr(data, '\n', size));
    std::size_t chunk = newline ? static_cast<std::size_t>(newline - data) : size;
    if (!skipping_long_) {
      if (partial_.size() + chunk > max_line_bytes_) {
        skipping_long_ = true;
        partial_.clear();
      } else {
        partial_.append(data, chunk);
      }
    }
    if (!newline) return;
    if (skipping_long_) {
      ++out.dropped_long;
      skipping_long_ = false;
    } else {
      out.lines.push_back(std::move(partial_));
    }
    partial_.clear();
    data = newline + 1;
    size -= chunk + 1;
  }
}

void LogFollower::read_available(FollowedLines& out, std::size_t& budget) {
  char buffer[64 * 1024];
  while (budget > 0) {
    auto want = std::min(budget, sizeof buffer);
    auto got = ::pread(fd_, buffer, want, static_cast<off_t>(offset_));
    if (got <= 0) return;
    offset_ += static_cast<std::uint64_t>(got);
    budget -= static_cast<std::size_t>(got);
    take_bytes(buffer, static_cast<std::size_t>(got), out);
  }
}

FollowedLines LogFollower::poll() {
  FollowedLines out;
  std::size_t budget = max_read_bytes_;
  if (fd_ < 0) {
    // Not there at construction: whatever appears later is new, so read it from its start.
    if (!open_current(false)) {
      out.missing = true;
      return out;
    }
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && static_cast<std::uint64_t>(st.st_size) < offset_) {
    out.rotated = true;  // copytruncate: the same file, shorter than what was read
    offset_ = 0;
    partial_.clear();
    skipping_long_ = false;
  }
  read_available(out, budget);
  if (budget == 0) return out;  // more to read; rotation is looked at once this file is read
  struct stat now {};
  if (::stat(path_.c_str(), &now) != 0) {
    out.missing = true;
    return out;
  }
  if (now.st_dev != device_ || now.st_ino != inode_) {
    // Renamed away and a new file made: the old one is read to its end above (nginx
    // writes to it until it reopens its logs); its torn last line is dropped.
    out.rotated = true;
    if (open_current(false)) read_available(out, budget);
  }
  return out;
}

}  // namespace fical::agent::canary
