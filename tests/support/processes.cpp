#include "tests/support/processes.hpp"

#include "agent/deploy/http_probe.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace fical::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) stop(SIGKILL, std::chrono::seconds(5));
}

int ChildProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

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
  ChildProcess start({"nginx", "-p", d, "-c", d + "/nginx.conf", "-e", d + "/logs/error.log"});
  if (start.stop(0, std::chrono::seconds(10)) != 0 && !std::filesystem::exists(pidfile())) {
    throw std::runtime_error("nginx did not start; see " + d + "/logs/error.log");
  }
  std::ifstream in(pidfile());
  in >> master_;
  if (!eventually([&] { return http_get(port_, "/_health").status == 200; })) {
    throw std::runtime_error("nginx does not answer on port " + std::to_string(port_));
  }
}

PrivateNginx::~PrivateNginx() {
  if (master_ <= 1) return;
  ::kill(master_, SIGQUIT);
  eventually([&] { return ::kill(master_, 0) != 0; }, std::chrono::seconds(5));
  ::kill(master_, SIGKILL);
}

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
