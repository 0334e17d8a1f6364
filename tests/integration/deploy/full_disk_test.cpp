// A real fical-agent whose state_dir is a small tmpfs: filled up, a deploy through the API is
// refused before anything changes, the database stays sound (`fical-agent state check`), and
// once space returns the next deploy succeeds. Mounting needs root (CI runs as root).
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "agent/router/process_runner.hpp"
#include "agent/store/digest.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/test_site.hpp"

using namespace fical::testing;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string agent_binary() {
  const char* path = std::getenv("FICAL_AGENT_BIN");
  if (!path) throw std::runtime_error("FICAL_AGENT_BIN is not set (ctest sets it)");
  return path;
}

fical::agent::router::ProcessResult run(const std::vector<std::string>& argv) {
  fical::agent::router::SpawnProcessRunner runner;
  return runner.run(argv, 30s);
}

/// A tmpfs mounted on `path` for the test's life.
struct Tmpfs {
  fs::path path;
  Tmpfs(fs::path where, const std::string& size) : path(std::move(where)) {
    fs::create_directories(path);
    if (::mount("tmpfs", path.c_str(), "tmpfs", 0, ("size=" + size + ",mode=0700").c_str()) != 0) {
      throw std::runtime_error("cannot mount a tmpfs on " + path.string());
    }
  }
  ~Tmpfs() { ::umount2(path.c_str(), MNT_DETACH); }
};

/// Writes `file` until the file system says ENOSPC (less than a block is left).
void fill(const fs::path& file) {
  std::ofstream out(file, std::ios::binary);
  std::string block(64 * 1024, 'f');
  while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
  }
}

}  // namespace

TEST_CASE("a full state_dir refuses a deploy before any change, and the agent recovers", "[deploy][disk]") {
  if (::geteuid() != 0) {
    WARN("skipped: mounting a tmpfs needs root");
    return;
  }
  TestSite site("disk");
  TempDir dir;
  Tmpfs state(dir.path() / "state", "80m");  // a deploy needs 64 MiB free
  auto port = free_port();
  std::string token = "disk-token-" + std::to_string(std::random_device{}());
  std::ofstream(dir.path() / "agent.yaml")
      << "listen: [\"127.0.0.1:" << port << "\"]\n"
      << "state_dir: " << state.path.string() << "\n"
      << "tokens: [{ id: test, sha256: \"" << fical::agent::store::sha256_hex(token) << "\", scopes: [admin] }]\n"
      << site.docker_and_nginx_yaml() << "apps:\n  " << site.app() << ":\n    environments:\n"
      << site.environment_yaml("prod", "drain: 1s\nstop_timeout: 2s\n");
  site.route("prod");
  ChildProcess agent({agent_binary(), "--config", (dir.path() / "agent.yaml").string()}, dir.path() / "agent.log");
  REQUIRE(eventually([&] { return http_get(port, "/healthz").status == 200; }, 30s));

  auto api = [&](const std::string& method, const std::string& path, const std::string& body = "") {
    std::vector<std::string> argv{"curl", "-s", "-X", method, "-H", "Authorization: Bearer " + token};
    if (!body.empty()) argv.insert(argv.end(), {"-d", body});
    argv.push_back("http://127.0.0.1:" + std::to_string(port) + path);
    auto parsed = json::parse(run(argv).output, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    return parsed;
  };
  auto deployments = "/v1/apps/" + site.app() + "/envs/prod/deployments";
  auto deploy = [&](const std::string& version) {
    auto started = api("POST", deployments, json{{"version", version}}.dump());
    if (!started.contains("id")) return started;
    json d;
    eventually([&] {
      d = api("GET", "/v1/deployments/" + started["id"].get<std::string>());
      return d.value("state", "") != "running" && d.value("state", "") != "pending";
    }, 60s);
    return d;
  };
  auto state_check = [&] {
    return run({agent_binary(), "state", "--state-dir", state.path.string(), "check"});
  };
  auto agent_log = [&] {
    std::ifstream in(dir.path() / "agent.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };

  auto first = deploy("v1");
  INFO(agent_log());
  REQUIRE(first["state"] == "succeeded");
  auto history_before = api("GET", deployments + "?limit=100")["deployments"].size();

  fill(state.path / "filler");
  auto refused = api("POST", deployments, json{{"version", "v2"}}.dump());
  INFO(refused.dump());
  CHECK(refused["error"]["code"] == "unavailable");
  CHECK_FALSE(refused.contains("id"));
  // Nothing changed: no record, v1 still live and served.
  CHECK(api("GET", deployments + "?limit=100")["deployments"].size() == history_before);
  auto status = api("GET", "/v1/apps/" + site.app() + "/envs/prod");
  CHECK(status["live"]["version"] == "v1");
  CHECK(status["running"].is_null());
  CHECK(http_get(site.nginx().port(), site.path("prod")).body.rfind("v1", 0) == 0);
  auto checked = state_check();
  INFO(checked.output);
  CHECK(checked.exit_code == 0);

  fs::remove(state.path / "filler");  // space returns
  auto second = deploy("v2");
  INFO(second.dump().substr(0, 800));
  CHECK(second["state"] == "succeeded");
  CHECK(api("GET", "/v1/apps/" + site.app() + "/envs/prod")["live"]["version"] == "v2");
  CHECK(state_check().exit_code == 0);
  CHECK(agent.stop(SIGTERM, 15s) == 0);
  CHECK(state_check().exit_code == 0);
}
