#include "agent/router/nginx_control.hpp"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "agent/store/atomic_file.hpp"

namespace fical::agent::router {
namespace {

constexpr std::chrono::seconds kCommandTimeout{30};

NginxResult from_process(const ProcessResult& r, const std::string& what) {
  if (r.ok()) return {true, r.output};
  if (!r.error.empty()) return {false, what + ": " + r.error};
  if (r.timed_out) return {false, what + ": timed out after 30s"};
  return {false, what + " exited " + std::to_string(r.exit_code) + ": " + r.output};
}

}  // namespace

NginxResult LocalNginx::test() {
  return from_process(runner_.run(options_.test_command, kCommandTimeout), "nginx -t");
}

NginxResult LocalNginx::reload() {
  using Kind = config::NginxReload::Kind;
  if (options_.reload.kind == Kind::command) {
    return from_process(runner_.run(options_.reload.command, kCommandTimeout), "nginx reload");
  }
  if (options_.reload.kind != Kind::pidfile) return {false, "nginx reload: not a local nginx"};
  auto master = master_pid();
  if (auto* why = std::get_if<std::string>(&master)) return {false, "nginx reload: " + *why};
  int pid = std::get<int>(master);
  if (::kill(pid, SIGHUP) != 0) {
    return {false, "nginx reload: cannot signal pid " + std::to_string(pid) + ": " + std::strerror(errno)};
  }
  return {true, ""};
}

std::variant<int, std::string> LocalNginx::master_pid() const {
  std::optional<std::string> text;
  try {
    text = store::read_file(options_.reload.pidfile);
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  if (!text) return "no pidfile at " + options_.reload.pidfile + " (is nginx running?)";
  int pid = 0;
  auto begin = text->data(), end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(begin, end, pid);
  if (ec != std::errc{} || pid <= 1) return options_.reload.pidfile + " does not hold a pid";
  return pid;
}

NginxResult LocalNginx::running() {
  if (options_.reload.kind != config::NginxReload::Kind::pidfile) return {true, ""};
  auto master = master_pid();
  if (auto* why = std::get_if<std::string>(&master)) return {false, *why};
  int pid = std::get<int>(master);
  // EPERM: a process of another user holds the pid, so it exists.
  if (::kill(pid, 0) != 0 && errno == ESRCH) {
    return {false, "no process " + std::to_string(pid) + " (from " + options_.reload.pidfile + ")"};
  }
  return {true, ""};
}

}  // namespace fical::agent::router
