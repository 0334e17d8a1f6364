#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace fical::testing {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// NAME=value entries: exactly `exact_env`, or the current environment with `extra_env` over it.
std::vector<std::string> environment_entries(const SpawnOptions& options) {
  std::vector<std::string> entries;
  if (!options.exact_env) {
    for (char** e = environ; *e; ++e) {
      std::string entry(*e);
      if (!options.extra_env.count(entry.substr(0, entry.find('=')))) entries.push_back(entry);
    }
  }
  for (const auto& [name, value] : options.exact_env ? *options.exact_env : options.extra_env) {
    entries.push_back(name + "=" + value);
  }
  return entries;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  spawn(argv, {.log = log});
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const SpawnOptions& options) {
  spawn(argv, options);
}

void ChildProcess::spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  int terminal_side = -1;
  if (options.terminal_stdout) {
    winsize size{};
    size.ws_col = 100;
    size.ws_row = 40;
    if (::openpty(&terminal_, &terminal_side, nullptr, nullptr, &size) != 0) throw std::runtime_error("openpty failed");
    ::fcntl(terminal_, F_SETFL, O_NONBLOCK);
    ::fcntl(terminal_, F_SETFD, FD_CLOEXEC);
    ::fcntl(terminal_side, F_SETFD, FD_CLOEXEC);  // dup2 onto stdout clears it there
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (options.log) {
    posix_spawn_file_actions_addopen(&actions, 1, options.log->c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    capture_ = std::make_unique<TempDir>();
    auto out = capture_->path() / "out";
    auto err = capture_->path() / "err";
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (terminal_side >= 0) posix_spawn_file_actions_adddup2(&actions, terminal_side, 1);
  }
  auto env = environment_entries(options);
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env);
  started_ = std::chrono::steady_clock::now();
  int rc = options.exact_env ? ::posix_spawn(&pid_, c_argv[0], &actions, nullptr, c_argv.data(), c_env.data())
                             : ::posix_spawnp(&pid_, c_argv[0], &actions, nullptr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (terminal_side >= 0) ::close(terminal_side);
  if (rc == 0) return;
  pid_ = -1;
  if (options.log) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  start_error_ = rc;  // like a shell: exit 127, the reason on stderr
  std::ofstream(capture_->path() / "err") << "cannot start " << argv[0] << ": " << std::strerror(rc) << "\n";
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) stop(SIGKILL, std::chrono::seconds(5));
  if (terminal_ >= 0) ::close(terminal_);
}

int ChildProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return exit_code_of(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

void ChildProcess::drain_terminal() {
  if (terminal_ < 0) return;
  char chunk[4096];
  for (ssize_t got; (got = ::read(terminal_, chunk, sizeof chunk)) > 0;) terminal_out_.append(chunk, got);
}

std::string ChildProcess::out_so_far() {
  if (!capture_) return "";
  drain_terminal();
  return terminal_ >= 0 ? terminal_out_ : read_all(capture_->path() / "out");
}

Finished ChildProcess::finish(std::chrono::milliseconds limit) {
  Finished finished;
  auto give_up = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (pid_ > 0) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      finished.exit_code = exit_code_of(status);
      finished.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      break;
    }
    drain_terminal();  // a full pty would block the program
    if (std::chrono::steady_clock::now() > give_up) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pid_ = -1;
  if (start_error_ != 0) finished.exit_code = 127;
  finished.wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
  finished.out = out_so_far();
  if (capture_) finished.err = read_all(capture_->path() / "err");
  return finished;
}

Finished run_to_end(const std::vector<std::string>& argv, const SpawnOptions& options,
                    std::chrono::milliseconds limit) {
  return ChildProcess(argv, options).finish(limit);
}

}  // namespace fical::testing
