#include "tests/support/processes.hpp"

#include "agent/deploy/http_probe.hpp"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fical::testing {

HttpAnswer http_get(std::uint16_t port, const std::string& path, std::chrono::milliseconds timeout) {
  auto result = agent::deploy::http_probe("127.0.0.1", port, path, timeout);
  return {result.status, result.body};
}

bool eventually(const std::function<bool()>& check, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return check();
}

PrivateNginx::PrivateNginx() {
  port_ = free_port();
  auto d = dir_.path().string();
  std::filesystem::create_directories(upstream_dir());
  std::filesystem::create_directories(location_dir());
  std::filesystem::create_directories(dir_.path() / "logs");
  std::ofstream(dir_.path() / "nginx.conf")
      << "worker_processes 1;\npid " << d << "/nginx.pid;\nerror_log " << d << "/logs/error.log warn;\n"
      << "events { worker_connections 256; }\nhttp {\n  access_log off;\n"
      << "  client_body_temp_path " << d << "/tmp-body;\n  proxy_temp_path " << d << "/tmp-proxy;\n"
      << "  fastcgi_temp_path " << d << "/tmp-fcgi;\n  uwsgi_temp_path " << d << "/tmp-uwsgi;\n"
      << "  scgi_temp_path " << d << "/tmp-scgi;\n  include " << d << "/upstreams/*.conf;\n"
      << "  server {\n    listen 127.0.0.1:" << port_ << ";\n"
      << "    location = /_health { return 200 \"ok\\n\"; }\n    include " << d << "/locations/*.conf;\n"
      << "  }\n}\n";
  start();
}

void PrivateNginx::start() {
  auto d = dir_.path().string();
  ChildProcess run({"nginx", "-p", d, "-c", d + "/nginx.conf", "-e", d + "/logs/error.log"});
  if (run.stop(0, std::chrono::seconds(10)) != 0 && !std::filesystem::exists(pidfile())) {
    throw std::runtime_error("nginx did not start; see " + d + "/logs/error.log");
  }
  std::ifstream in(pidfile());
  in >> master_;
  if (!eventually([&] { return http_get(port_, "/_health").status == 200; })) {
    throw std::runtime_error("nginx does not answer on port " + std::to_string(port_));
  }
}

void PrivateNginx::stop() {
  if (master_ <= 1) return;
  ::kill(master_, SIGQUIT);
  eventually([&] { return ::kill(master_, 0) != 0; }, std::chrono::seconds(5));
  ::kill(master_, SIGKILL);
  master_ = 0;
}

PrivateNginx::~PrivateNginx() { stop(); }

std::vector<std::string> PrivateNginx::test_command() const {
  auto d = dir_.path().string();
  return {"nginx", "-t", "-q", "-p", d, "-c", d + "/nginx.conf", "-e", d + "/logs/error.log"};
}

int PrivateNginx::worker_count() const {
  std::ifstream in(pidfile());
  pid_t master = 0;
  if (!(in >> master)) return 0;
  int workers = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == master) ++workers;
  }
  return workers;
}

std::vector<std::string> busybox_httpd(std::uint16_t port, const std::filesystem::path& dir) {
  return {"busybox", "httpd", "-f", "-p", "127.0.0.1:" + std::to_string(port), "-h", dir.string()};
}

}  // namespace fical::testing
