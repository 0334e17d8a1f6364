#include "agent/docker/build_context.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace fical::agent::docker {

namespace fs = std::filesystem;

namespace {

struct Sink {
  std::string bytes;
  std::size_t max_bytes;
};

la_ssize_t append(archive*, void* data, const void* buffer, size_t length) {
  auto* sink = static_cast<Sink*>(data);
  if (sink->bytes.size() + length > sink->max_bytes) return -1;
  sink->bytes.append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

std::runtime_error tar_error(const std::string& what, archive* a) {
  const char* detail = a ? archive_error_string(a) : nullptr;
  return std::runtime_error("build context: " + what + (detail ? ": " + std::string(detail) : ""));
}

}  // namespace

std::string tar_directory(const fs::path& directory, std::size_t max_bytes) {
  if (!fs::is_directory(directory)) {
    throw std::runtime_error("build context: " + directory.string() + " is not a directory");
  }
  Sink sink{{}, max_bytes};
  std::unique_ptr<archive, decltype(&archive_write_free)> out(archive_write_new(),
                                                              &archive_write_free);
  std::unique_ptr<archive, decltype(&archive_read_free)> disk(archive_read_disk_new(),
                                                              &archive_read_free);
  archive_write_set_format_pax_restricted(out.get());
  if (archive_write_open(out.get(), &sink, nullptr, append, nullptr) != ARCHIVE_OK) {
    throw tar_error("cannot start the tar", out.get());
  }
  std::vector<fs::path> paths;
  for (const auto& entry : fs::recursive_directory_iterator(directory)) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());  // the same tree gives the same tar
  std::vector<char> buffer(64 * 1024);
  for (const auto& path : paths) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                        &archive_entry_free);
    auto relative = fs::relative(path, directory).generic_string();
    archive_entry_copy_sourcepath(entry.get(), path.c_str());
    if (archive_read_disk_entry_from_file(disk.get(), entry.get(), -1, nullptr) != ARCHIVE_OK) {
      throw tar_error("cannot read " + path.string(), disk.get());
    }
    archive_entry_copy_pathname(entry.get(), relative.c_str());
    if (archive_write_header(out.get(), entry.get()) != ARCHIVE_OK) {
      throw tar_error("cannot add " + relative + " (over " + std::to_string(max_bytes) +
                          " bytes?)", out.get());
    }
    if (archive_entry_filetype(entry.get()) != AE_IFREG) continue;
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error("build context: cannot open " + path.string());
    while (file) {
      file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      auto n = file.gcount();
      if (n > 0 && archive_write_data(out.get(), buffer.data(), static_cast<size_t>(n)) != n) {
        throw tar_error("cannot add " + relative, out.get());
      }
    }
    if (file.bad()) throw std::runtime_error("build context: error reading " + path.string());
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK) throw tar_error("cannot finish the tar", out.get());
  return std::move(sink.bytes);
}

}  // namespace fical::agent::docker
