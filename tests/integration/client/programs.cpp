#include "tests/integration/client/programs.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "agent/api/token_hash.hpp"

namespace fical::client::testing {
namespace {

using namespace std::chrono_literals;

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool answers(const std::filesystem::path& socket_path) {
  auto ran = run_client({"--url", "unix:" + socket_path.string(), "status"}, {{"FICAL_TOKEN", Agent::kReaderToken}});
  return ran.exit_code == 0;
}

}  // namespace

void write_file(const std::filesystem::path& path, const std::string& text, unsigned mode) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

Program::Program(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                 bool terminal)
    : process_(argv, {.exact_env = env, .terminal_stdout = terminal}) {}

Ran Program::finish(std::chrono::milliseconds limit) {
  auto finished = process_.finish(limit);
  return {finished.signal != 0 ? -1 : finished.exit_code, std::move(finished.out), std::move(finished.err)};
}

Ran run_program(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                std::chrono::milliseconds limit) {
  return Program(argv, env).finish(limit);
}

std::string client_binary() { return FICAL_CLIENT_BINARY; }

std::vector<std::string> client_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{FICAL_CLIENT_BINARY, "--config", "/dev/null"};  // no host settings
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Ran run_client(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  auto full_env = env;
  full_env.emplace("PATH", "/usr/bin:/bin");
  return run_program(client_argv(args), full_env);
}

std::string config_only_yaml() {
  return "docker: {socket: /nonexistent/docker.sock}\n"
         "apps:\n  web:\n    environments:\n      staging:\n        services:\n"
         "          api: {image: 127.0.0.1:5000/x, port: 8080, ports: {blue: 18001, green: 18002},"
         " health: {http: /health}}\n";
}

Agent::Agent(const std::string& extra_yaml, const std::string& body_yaml) {
  port_ = fical::testing::free_port();
  auto hash = [](const char* token) { return fical::agent::api::sha256_hex(token); };
  std::ostringstream config;
  config << "listen: [\"127.0.0.1:" << port_ << "\", \"unix:" << (dir() / "agent.sock").string() << "\"]\n"
         << "state_dir: " << (dir() / "state").string() << "\n"
         << "tokens:\n"
         << "  - {id: deployer, sha256: \"" << hash(kDeployerToken) << "\", scopes: [read, deploy]}\n"
         << "  - {id: reader, sha256: \"" << hash(kReaderToken) << "\", scopes: [read]}\n"
         << body_yaml;
  if (body_yaml.find("\nnginx:") == std::string::npos && body_yaml.rfind("nginx:", 0) != 0) {
    config << "nginx: {upstream_dir: " << (dir() / "upstreams").string()
           << ", reload: {pidfile: " << (dir() / "nginx.pid").string() << "}}\n";
  }
  config << extra_yaml;
  std::filesystem::create_directories(dir() / "state");
  std::filesystem::create_directories(dir() / "upstreams");
  write_file(dir() / "agent.yaml", config.str());
  write_file(deployer_token_file(), std::string(kDeployerToken) + "\n");
  write_file(reader_token_file(), std::string(kReaderToken) + "\n");
  start();
}

void Agent::start() {
  process_ = std::make_unique<fical::testing::ChildProcess>(
      std::vector<std::string>{FICAL_AGENT_BINARY, "--config", (dir() / "agent.yaml").string()},
      dir() / "agent.log");
  if (!fical::testing::eventually([&] { return answers(dir() / "agent.sock"); }, 20s)) {
    throw std::runtime_error("fical-agent did not start; its log: " + read_all(dir() / "agent.log"));
  }
}

void Agent::restart(int signal, const std::function<void()>& while_down) {
  process_->stop(signal, 15s);
  process_.reset();
  if (while_down) while_down();
  start();
}

std::string Agent::http_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
std::string Agent::unix_url() const { return "unix:" + (dir() / "agent.sock").string(); }

}  // namespace fical::client::testing
