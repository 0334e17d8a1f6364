#include "tests/support/fake_host.hpp"

namespace fical::testing {

std::vector<std::string> FakeHost::probes() const {
  std::lock_guard lock(mutex_);
  return probes_;
}

std::chrono::milliseconds FakeHost::elapsed() const {
  std::lock_guard lock(mutex_);
  return elapsed_;
}

agent::deploy::HttpProbeResult FakeHost::http_probe(const std::string& host, std::uint16_t port,
                                                    const std::string& path, std::chrono::milliseconds,
                                                    const agent::deploy::HttpHeaders& headers) {
  {
    std::lock_guard lock(mutex_);
    auto probe = "GET " + host + ":" + std::to_string(port) + path;
    for (const auto& [name, value] : headers) probe += " " + name + "=" + value;
    probes_.push_back(probe);
  }
  if (answer) return answer(host, port, path);
  agent::deploy::HttpProbeResult ok;
  ok.status = 200;
  ok.body = "ok";
  return ok;
}

bool FakeHost::port_accepts(const std::string&, std::uint16_t, std::chrono::milliseconds) { return ports_open; }

std::optional<std::uint64_t> FakeHost::free_bytes(const std::filesystem::path& path) {
  if (auto it = free.find(path.string()); it != free.end()) return it->second;
  return default_free;
}

std::optional<std::string> FakeHost::getenv(const std::string& key) {
  if (auto it = env.find(key); it != env.end()) return it->second;
  return std::nullopt;
}

proto::TimePoint FakeHost::wall_now() {
  std::lock_guard lock(mutex_);
  return wall_start_ + elapsed_;
}

agent::deploy::Clock::time_point FakeHost::now() {
  std::lock_guard lock(mutex_);
  return steady_start_ + elapsed_;
}

void FakeHost::sleep_for(std::chrono::milliseconds duration) {
  std::lock_guard lock(mutex_);
  elapsed_ += duration;
}

}  // namespace fical::testing
