#include "agent/router/nginx_control.hpp"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "agent/store/atomic_file.hpp"

namespace fical::agent::router {
namespace {

constexpr std::chrono::seconds kCommandTimeout{30};

void check_process(const ProcessResult& r, const std::string& what) {
  if (r.ok()) return;
  if (!r.error.empty()) throw RouterError(what + ": " + r.error);
  if (r.timed_out) throw RouterError(what + ": timed out after 30s");
  throw RouterError(what + " exited " + std::to_string(r.exit_code) + ": " + r.output);
}

}  // namespace

void LocalNginx::test() { check_process(runner_.run(options_.test_command, kCommandTimeout), "nginx -t"); }

void LocalNginx::reload() {
  using Kind = config::NginxReload::Kind;
  if (options_.reload.kind == Kind::command) {
    check_process(runner_.run(options_.reload.command, kCommandTimeout), "nginx reload");
    return;
  }
  if (options_.reload.kind != Kind::pidfile) throw RouterError("nginx reload: not a local nginx");
  auto master = master_pid();
  if (auto* why = std::get_if<std::string>(&master)) throw RouterError("nginx reload: " + *why);
  int pid = std::get<int>(master);
  if (::kill(pid, SIGHUP) != 0) {
    throw RouterError("nginx reload: cannot signal pid " + std::to_string(pid) + ": " + std::strerror(errno));
  }
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

std::optional<std::string> LocalNginx::not_running() {
  if (options_.reload.kind != config::NginxReload::Kind::pidfile) return std::nullopt;
  auto master = master_pid();
  if (auto* why = std::get_if<std::string>(&master)) return *why;
  int pid = std::get<int>(master);
  // EPERM: a process of another user holds the pid, so it exists.
  if (::kill(pid, 0) != 0 && errno == ESRCH) {
    return "no process " + std::to_string(pid) + " (from " + options_.reload.pidfile + ")";
  }
  return std::nullopt;
}

}  // namespace fical::agent::router
