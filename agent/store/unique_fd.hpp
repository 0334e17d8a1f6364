#pragma once
// A file descriptor closed when it goes out of scope (header only: the release build's
// systemd protocol uses it too).
#include <unistd.h>

#include <utility>

namespace fical::agent::store {

/// Owns one descriptor; closes it on destruction. Not thread-safe (one owner).
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace fical::agent::store
