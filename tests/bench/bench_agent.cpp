#include "tests/bench/bench_agent.hpp"

#include <openssl/evp.h>
#include <signal.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "agent/docker/http_docker_engine.hpp"
#include "agent/router/upstream.hpp"

namespace fical::bench {
namespace {

std::string random_hex(int digits) {
  std::mt19937_64 random{std::random_device{}()};
  std::ostringstream text;
  text << std::hex;
  for (int i = 0; i < digits; ++i) text << (random() & 0xf);
  return text.str();
}

// One environment of the app: the test app booting in boot_seconds, an HTTP health check
// with the engine's default timing; two host-network colors on free ports, or (with
// `network`) port 8080 of each color's container on that Docker network.
std::string environment_yaml(const std::string& app, const std::string& env, const AgentSetup& s,
                             const std::string& extra, const std::string& network = "",
                             const std::string& service_extra = "") {
  std::string health = "{ http: /health, deadline: 30s" + (s.health_yaml.empty() ? "" : ", " + s.health_yaml) + " }";
  std::string boot = "BOOT_DELAY: \"" + std::to_string(s.boot_seconds) + "\"";
  auto where = network.empty() ? "            ports: { blue: " + std::to_string(testing::free_port()) +
                                     ", green: " + std::to_string(testing::free_port()) + " }\n" +
                                     "            env: { " + boot + " }\n"
                               : "            port: 8080\n            env: { " + boot + ", LISTEN: 0.0.0.0 }\n";
  return "      " + env + ":\n" + (network.empty() ? "" : "        network: " + network + "\n") +
         "        retain: 5\n        drain: 1s\n        stop_timeout: 1s\n" + extra +
         "        verify_path: /" + app + "-" + env + "/\n" +
         "        services:\n          web:\n            image: " + s.image + "\n" + where +
         "            health: " + health + "\n" + service_extra;
}

// What the agent's config stores of a token: its SHA-256 in hex.
std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += {digits[digest[i] >> 4], digits[digest[i] & 0xf]};
  return hex;
}

}  // namespace

BenchAgent::BenchAgent(AgentSetup setup, const testing::PrivateNginx& nginx)
    : setup_(std::move(setup)), app_("bench" + random_hex(6)), port_(testing::free_port()),
      token_("fical-bench-" + random_hex(32)) {
  std::string test_command;
  for (const auto& part : nginx.test_command()) test_command += (test_command.empty() ? "" : ", ") + part;
  auto yaml = "listen: [\"127.0.0.1:" + std::to_string(port_) + "\"]\n" +
              "state_dir: " + (dir_.path() / "state").string() + "\n" +
              "tokens: [ { id: bench, sha256: \"" + sha256_hex(token_) + "\", scopes: [read, deploy] } ]\n" +
              "docker: { socket: " + setup_.docker_socket + " }\n" +
              "nginx:\n  upstream_dir: " + nginx.upstream_dir().string() + "\n" +
              "  reload: { pidfile: " + nginx.pidfile().string() + " }\n" +
              "  test_command: [" + test_command + "]\n" +
              "  verify_url: http://127.0.0.1:" + std::to_string(nginx.port()) + "\n" +
              "apps:\n  " + app_ + ":\n    environments:\n" +
              // prod runs the test app's migration, as the limit (limit_flow.hpp) does.
              environment_yaml(app_, "prod", setup_, "", "",
                               "            migrate: { command: [/app/migrate.sh], timeout: 60s }\n") +
              environment_yaml(app_, "warm", setup_, "        keep_warm: 10m\n") +
              (setup_.network.empty() ? "" : environment_yaml(app_, "net", setup_, "", setup_.network));
  std::ofstream(dir_.path() / "agent.yaml") << yaml;
  // The operator's site config: each environment's location proxies to the upstream the
  // agent owns, which points nowhere until the first deploy.
  std::vector<std::string> envs{"prod", "warm"};
  if (!setup_.network.empty()) envs.push_back("net");
  for (const auto& env : envs) {
    agent::router::UpstreamTarget nowhere{app_, env, "web", "none", "none", {"127.0.0.1:9"}, {}};
    std::ofstream(nginx.upstream_dir() / agent::router::upstream_file_name(nowhere))
        << agent::router::render_upstream(nowhere);
    std::ofstream(nginx.location_dir() / (app_ + "-" + env + ".conf"))
        << "location " << path(env) << " { proxy_pass http://" << app_ << "-" << env << "-web/; }\n";
  }
  process_ = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{setup_.agent_binary, "--config", (dir_.path() / "agent.yaml").string()},
      dir_.path() / "agent.log");
  bool up = testing::eventually([&] { return client({"status"}).exit_code == 0; }, std::chrono::seconds(20));
  if (!up) throw std::runtime_error("fical-agent did not start; its log:\n" + log_text());
}

BenchAgent::~BenchAgent() {
  if (process_) process_->stop(SIGTERM, std::chrono::seconds(10));
  try {
    agent::docker::HttpDockerEngine docker({setup_.docker_socket, std::chrono::seconds(30)});
    agent::docker::ContainerFilters filters;
    filters.labels = {"fical.app=" + app_};
    for (const auto& c : docker.list_containers(filters)) docker.remove_container(c.id, true);
  } catch (...) {
  }
}

std::string BenchAgent::log_text() const {
  std::ifstream log(dir_.path() / "agent.log");
  std::ostringstream text;
  text << log.rdbuf();
  return text.str();
}

CommandResult BenchAgent::client(const std::vector<std::string>& args) {
  std::vector<std::string> argv{setup_.client_binary, "--config", "/dev/null", "--url",
                                "http://127.0.0.1:" + std::to_string(port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {{"FICAL_TOKEN", token_}}, std::chrono::seconds(120));
}

CommandResult BenchAgent::deploy(const std::string& env, const std::string& version) {
  return client({"deploy", "--app", app_, "--env", env, "--version", version, "--json"});
}

CommandResult BenchAgent::rollback(const std::string& env, const std::string& release) {
  std::vector<std::string> args{"rollback", "--app", app_, "--env", env, "--json"};
  if (!release.empty()) args.insert(args.end(), {"--release", release});
  return client(args);
}

std::optional<proto::Deployment> BenchAgent::record(const CommandResult& ran) {
  try {
    return proto::deployment_from_json(nlohmann::json::parse(ran.out));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace fical::bench
