#include "agent/store/json_lines_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <system_error>

#include "agent/store/atomic_file.hpp"

namespace fical::agent::store {
namespace {

// Makes renames and new files in `dir` durable.
void fsync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + dir.string());
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) throw std::system_error(saved, std::generic_category(), "cannot fsync " + dir.string());
}

// Pushes the parsable lines of `text` onto the front of `out` (keeping their order),
// stopping once `out` holds `limit`.
void prepend_lines(const std::string& text, std::size_t limit, std::deque<nlohmann::json>& out) {
  std::size_t end = text.size();
  while (end > 0 && out.size() < limit) {
    std::size_t start = text.rfind('\n', end - 1);
    start = start == std::string::npos ? 0 : start + 1;
    if (start < end) {
      auto record = nlohmann::json::parse(text.begin() + static_cast<std::ptrdiff_t>(start),
                                          text.begin() + static_cast<std::ptrdiff_t>(end), nullptr, false);
      if (!record.is_discarded()) out.push_front(std::move(record));
    }
    if (start == 0) break;
    end = start - 1;
  }
}

}  // namespace

JsonLinesLog::JsonLinesLog(std::filesystem::path path, Options options)
    : path_(std::move(path)), options_(options) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path_, ec);
  size_ = ec ? 0 : size;
}

std::filesystem::path JsonLinesLog::rotated(std::size_t n) const {
  if (n == 0) return path_;
  return path_.string() + "." + std::to_string(n);
}

void JsonLinesLog::rotate_locked() {
  std::error_code ec;
  std::filesystem::remove(rotated(options_.keep), ec);
  for (std::size_t n = options_.keep; n >= 1; --n) {
    if (std::filesystem::exists(rotated(n - 1))) {
      std::filesystem::rename(rotated(n - 1), rotated(n));  // throws with the paths
    }
  }
  if (options_.keep == 0) std::filesystem::remove(path_, ec);
  fsync_directory(path_.parent_path());
  size_ = 0;
}

void JsonLinesLog::append(const nlohmann::json& record) {
  // Invalid UTF-8 (from a client's path) is replaced, never a reason to lose the record.
  auto line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mutex_);
  if (size_ > 0 && size_ + line.size() + 1 > options_.max_bytes) rotate_locked();
  bool created = size_ == 0 && !std::filesystem::exists(path_);
  append_line_durable(path_, line, 0600);
  if (created) fsync_directory(path_.parent_path());
  size_ += line.size() + 1;
}

std::vector<nlohmann::json> JsonLinesLog::tail(std::size_t limit) const {
  std::deque<nlohmann::json> found;
  std::lock_guard lock(mutex_);
  for (std::size_t n = 0; n <= options_.keep && found.size() < limit; ++n) {
    auto text = read_file(rotated(n));
    if (!text) {
      if (n == 0) continue;  // nothing written since the last rotation
      break;
    }
    prepend_lines(*text, limit, found);
  }
  return {found.begin(), found.end()};
}

}  // namespace fical::agent::store
