#pragma once
// Real fical-client and fical-agent processes for the client's integration tests.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/processes.hpp"
#include "tests/support/test_env.hpp"

namespace fical::client::testing {

/// What a finished program printed and how it exited.
struct Ran {
  int exit_code = -1;  // -1: killed by a signal or at the time limit
  std::string out;
  std::string err;
};

/// A program started (no shell) with exactly `env` as its environment, stdin from
/// /dev/null and stdout/stderr captured; SIGKILLed if still running at the end.
class Program {
 public:
  /// With `terminal`, stdout is a pseudo-terminal of 100 columns (what a person sees).
  Program(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
          bool terminal = false);
  /// What it printed so far.
  std::string out_so_far() { return process_.out_so_far(); }
  /// Waits for the exit, at most `limit` (then SIGKILL and exit_code -1).
  Ran finish(std::chrono::milliseconds limit = std::chrono::seconds(60));

 private:
  fical::testing::ChildProcess process_;
};

/// Runs a program to its end (see Program).
Ran run_program(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                std::chrono::milliseconds limit = std::chrono::seconds(60));

/// The path of the fical-client binary under test.
std::string client_binary();

/// The fical-client command line with `args` (and an empty config file).
std::vector<std::string> client_argv(const std::vector<std::string>& args);

/// Runs the real fical-client with `args` and the extra environment `env`.
Ran run_client(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});

/// The config of an agent with the app web/staging (service api) and nothing real behind it.
std::string config_only_yaml();

/// A real fical-agent on a free loopback port and a unix socket, with a temp config with
/// two tokens: "deployer" (read, deploy) and "reader" (read). Stopped on destruction.
class Agent {
 public:
  /// `extra_yaml` is appended to the config (e.g. a tls: block); `body_yaml` holds docker,
  /// nginx and apps.
  explicit Agent(const std::string& extra_yaml = "", const std::string& body_yaml = config_only_yaml());
  /// Sends `signal` (SIGKILL: a crash), waits for the exit, runs `while_down` if given,
  /// starts again with the same config, state and addresses.
  void restart(int signal, const std::function<void()>& while_down = nullptr);
  std::string http_url() const;
  std::string unix_url() const;
  const std::filesystem::path& dir() const { return dir_.path(); }
  /// Token files (mode 0600) holding each token.
  std::filesystem::path deployer_token_file() const { return dir() / "deployer.token"; }
  std::filesystem::path reader_token_file() const { return dir() / "reader.token"; }
  static constexpr const char* kDeployerToken = "fical-it-deployer-0123456789abcdef";
  static constexpr const char* kReaderToken = "fical-it-reader-0123456789abcdef";
  std::uint16_t port() const { return port_; }

 private:
  void start();

  fical::testing::TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<fical::testing::ChildProcess> process_;
};

/// Writes `text` to `path` with the given mode.
void write_file(const std::filesystem::path& path, const std::string& text, unsigned mode = 0600);

}  // namespace fical::client::testing
