#include "agent/store/atomic_file.hpp"
#include "agent/store/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>
#include <utility>

namespace fical::agent::store {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

using Fd = UniqueFd;

void write_all(int fd, std::string_view content, const std::filesystem::path& path) {
  while (!content.empty()) {
    auto n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write", path);
    content.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_directory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) fail("cannot fsync directory", dir);
}

std::string temp_name(const std::filesystem::path& path) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::ostringstream name;
  name << path.string() << ".tmp-" << ::getpid() << "-" << std::hex << random();
  return name.str();
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view content, mode_t mode) {
  auto temp = temp_name(path);
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) fail("cannot create", temp);
  try {
    write_all(fd.get(), content, temp);
    if (::fchmod(fd.get(), mode) != 0) fail("cannot chmod", temp);
    if (::fsync(fd.get()) != 0) fail("cannot fsync", temp);
    if (::close(fd.release()) != 0) fail("cannot close", temp);
    if (::rename(temp.c_str(), path.c_str()) != 0) fail("cannot rename into", path);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  fsync_directory(path.parent_path());
}

void append_line_durable(const std::filesystem::path& path, std::string_view line, mode_t mode) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode));
  if (fd.get() < 0) fail("cannot open", path);
  std::string text(line);
  text += '\n';
  write_all(fd.get(), text, path);
  if (::fsync(fd.get()) != 0) fail("cannot fsync", path);
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || !std::filesystem::exists(path)) return std::nullopt;
    fail("cannot read", path);
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) fail("cannot read", path);
  return content.str();
}

void ensure_directory(const std::filesystem::path& path, mode_t mode) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return;
  std::filesystem::create_directories(path, ec);
  if (ec) throw std::system_error(ec, "cannot create directory " + path.string());
  ::chmod(path.c_str(), mode);
}

}  // namespace fical::agent::store
