#pragma once
// Crash-safe file writes: write a temp file, fsync it, rename it over the target, fsync
// the directory. A reader sees the old content or the new, never a mix.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace fical::agent::store {

/// Replaces `path` with `content` atomically and durably. Throws std::system_error with
/// the path in the message on failure (the old file is then untouched).
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       mode_t mode = 0644);

/// Appends one line durably (write + fsync); for JSON-lines logs (the EMF file).
void append_line_durable(const std::filesystem::path& path, std::string_view line, mode_t mode = 0600);

/// The whole file, or std::nullopt when it does not exist. Throws on other errors.
std::optional<std::string> read_file(const std::filesystem::path& path);

/// Creates the directory and its parents with `mode` (no-op when present).
void ensure_directory(const std::filesystem::path& path, mode_t mode = 0755);

}  // namespace fical::agent::store
