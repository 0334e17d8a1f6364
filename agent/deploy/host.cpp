#include "agent/deploy/host.hpp"

#include <sys/statvfs.h>

#include <cstdlib>

namespace fical::agent::deploy {

HttpProbeResult SystemHost::http_probe(const std::string& host, std::uint16_t port, const std::string& path,
                                       std::chrono::milliseconds timeout, const HttpHeaders& headers) {
  return deploy::http_probe(host, port, path, timeout, headers);
}

bool SystemHost::port_accepts(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  return deploy::port_accepts(host, port, timeout);
}

std::optional<std::uint64_t> SystemHost::free_bytes(const std::filesystem::path& path) {
  struct statvfs fs {};
  if (::statvfs(path.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

std::optional<std::string> SystemHost::getenv(const std::string& key) {
  if (const char* value = std::getenv(key.c_str())) return std::string(value);
  return std::nullopt;
}

proto::TimePoint SystemHost::wall_now() { return proto::now_ms(); }

}  // namespace fical::agent::deploy
