#include "agent/process/run_program.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace fical::agent::process {
namespace {

void keep_tail(std::string& text, std::size_t limit) {
  if (text.size() > limit) text.erase(0, text.size() - limit);
}

/// The read ends of the child's stdout (and stderr) pipes; closes what is still open.
struct Pipes {
  int read_end[2] = {-1, -1};
  int write_end[2] = {-1, -1};
  int count = 0;
  ~Pipes() {
    for (int i = 0; i < 2; ++i) {
      if (read_end[i] >= 0) ::close(read_end[i]);
      if (write_end[i] >= 0) ::close(write_end[i]);
    }
  }
  bool open(int n, std::string& error) {
    for (count = 0; count < n; ++count) {
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return false;
      }
      read_end[count] = fds[0];
      write_end[count] = fds[1];
    }
    return true;
  }
  void close_write_ends() {
    for (auto& fd : write_end) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
  }
};

int spawn(const std::vector<std::string>& argv, const ProgramOptions& options, const Pipes& pipes, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipes.write_end[0], 1);
  posix_spawn_file_actions_adddup2(&actions, pipes.write_end[options.separate_stderr ? 1 : 0], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (options.own_process_group) {
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int rc = options.search_path ? ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ)
                               : ::posix_spawn(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return rc;
}

}  // namespace

ProgramResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const ProgramOptions& options) {
  ProgramResult result;
  if (argv.empty()) {
    result.error = "empty command";
    return result;
  }
  Pipes pipes;
  if (!pipes.open(options.separate_stderr ? 2 : 1, result.error)) return result;
  pid_t pid = 0;
  int rc = spawn(argv, options, pipes, pid);
  pipes.close_write_ends();
  if (rc != 0) {
    result.error = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return result;
  }
  auto kill_child = [&] { ::kill(options.own_process_group ? -pid : pid, SIGKILL); };
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{pipes.read_end[0], POLLIN, 0}, {pipes.read_end[1], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_pipes = pipes.count;
  char buffer[8192];
  while (open_pipes > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill_child();
      break;
    }
    int ready = ::poll(fds, static_cast<nfds_t>(pipes.count), static_cast<int>(left.count()));
    if (ready <= 0) continue;  // EINTR or the deadline: checked at the top
    for (int i = 0; i < pipes.count; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      auto n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {  // EOF: the child (and its children) closed the pipe
        fds[i].fd = -1;
        --open_pipes;
        continue;
      }
      sinks[i]->append(buffer, static_cast<std::size_t>(n));
    }
    if (result.out.size() > options.max_out && options.fail_when_out_full) {
      result.error = argv[0] + " wrote more than " + std::to_string(options.max_out / 1024) + " KiB";
      kill_child();
      break;
    }
    keep_tail(result.out, options.max_out);
    keep_tail(result.err, options.max_err);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out && result.error.empty() && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace fical::agent::process
