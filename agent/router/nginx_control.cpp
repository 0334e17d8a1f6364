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
  std::optional<std::string> text;
  try {
    text = store::read_file(options_.reload.pidfile);
  } catch (const std::exception& e) {
    throw RouterError(std::string("nginx reload: ") + e.what());
  }
  if (!text) throw RouterError("nginx reload: no pidfile at " + options_.reload.pidfile + " (is nginx running?)");
  int pid = 0;
  auto begin = text->data(), end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(begin, end, pid);
  if (ec != std::errc{} || pid <= 1) {
    throw RouterError("nginx reload: " + options_.reload.pidfile + " does not hold a pid");
  }
  if (::kill(pid, SIGHUP) != 0) {
    throw RouterError("nginx reload: cannot signal pid " + std::to_string(pid) + ": " + std::strerror(errno));
  }
}

}  // namespace fical::agent::router
