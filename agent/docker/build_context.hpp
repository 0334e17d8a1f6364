#pragma once
// The build context Docker's POST /build wants: a tar of a directory, made with libarchive.
#include <cstddef>
#include <filesystem>
#include <string>

namespace fical::agent::docker {

/// Tars `directory` (files, directories, symlinks; paths relative to it) into memory.
/// Throws std::runtime_error naming the file on a read error, or when the tar would exceed
/// `max_bytes`. .dockerignore is not applied: give it a clean release directory.
std::string tar_directory(const std::filesystem::path& directory,
                          std::size_t max_bytes = std::size_t{2} << 30);

}  // namespace fical::agent::docker
