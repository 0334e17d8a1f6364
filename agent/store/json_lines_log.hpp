#pragma once
// A JSON-lines file (the CloudWatch EMF file): one object per line, each line
// fsync'd, rotated by size.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fical::agent::store {

/// An append-only JSON-lines file (mode 0600) that rotates to <path>.1 .. .N when it
/// would grow past max_bytes; the oldest file beyond `keep` is deleted.
/// Thread-safety: append() and tail() may be called from any thread, concurrently.
class JsonLinesLog {
 public:
  struct Options {
    std::uintmax_t max_bytes = 10 * 1024 * 1024;
    std::size_t keep = 5;  // rotated files kept beside the current one
  };

  explicit JsonLinesLog(std::filesystem::path path) : JsonLinesLog(std::move(path), Options{}) {}
  JsonLinesLog(std::filesystem::path path, Options options);

  /// Appends `record` as one line and fsyncs it. Throws std::system_error on failure.
  void append(const nlohmann::json& record);
  /// The last `limit` records, oldest first, across the current and rotated files.
  /// Lines that do not parse (a torn last line after a crash) are skipped.
  std::vector<nlohmann::json> tail(std::size_t limit) const;

  const std::filesystem::path& path() const { return path_; }
  /// <path>.N (N >= 1), or the current file for N = 0.
  std::filesystem::path rotated(std::size_t n) const;

 private:
  void rotate_locked();

  const std::filesystem::path path_;
  const Options options_;
  mutable std::mutex mutex_;
  std::uintmax_t size_ = 0;
};

}  // namespace fical::agent::store
