#include "tests/support/test_env.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace fical::testing {

const TestEnv& TestEnv::get() {
  static const TestEnv env = [] {
    const char* path = std::getenv("FICAL_TEST_ENV");
    if (!path) {
      throw std::runtime_error("FICAL_TEST_ENV is not set: run through ctest, or `scripts/test-env.sh up` "
                               "and export FICAL_TEST_ENV=/tmp/fical-test-env/env.json");
    }
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read ") + path + ": is the test environment up?");
    auto json = nlohmann::json::parse(in);
    TestEnv e;
    e.docker_socket = json.at("docker_socket");
    e.registry = json.at("registry");
    e.test_image = json.at("test_image");
    e.test_tags = json.at("test_tags").get<std::vector<std::string>>();
    e.nginx_port = json.at("nginx_port");
    e.nginx_prefix = json.at("nginx_prefix");
    e.nginx_conf = json.at("nginx_conf");
    e.nginx_pidfile = json.at("nginx_pidfile");
    e.nginx_upstream_dir = json.at("nginx_upstream_dir");
    e.nginx_location_dir = json.at("nginx_location_dir");
    return e;
  }();
  return env;
}

std::vector<std::string> TestEnv::nginx_test_command() const {
  return {"nginx", "-t", "-q", "-p", nginx_prefix, "-c", nginx_conf, "-e", nginx_prefix + "/logs/error.log"};
}

namespace {

// Ports are drawn at random below the kernel's ephemeral range (32768-60999 here): ports
// there are also the local ends of outgoing connections (load generators, Docker calls),
// so one found free a moment ago is often taken by the time a test's nginx binds it, and
// the kernel offers the same few to tests running side by side. Below it, only the test
// environment's own fixed ports (25000+, 28080+) live, and bind() skips them.
constexpr int kFirstPort = 20000;
constexpr int kLastPort = 32000;

bool bindable(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("cannot open a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::uint16_t free_port() {
  // Nothing holds a port once checked: never hand one out twice in a process, or two
  // colors of one config could get the same port.
  static std::mutex mutex;
  static std::set<std::uint16_t> given;
  std::lock_guard lock(mutex);
  static std::mt19937 random(std::random_device{}() ^ static_cast<unsigned>(::getpid()));
  std::uniform_int_distribution<int> pick(kFirstPort, kLastPort);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    auto port = static_cast<std::uint16_t>(pick(random));
    if (!given.count(port) && bindable(port)) {
      given.insert(port);
      return port;
    }
  }
  throw std::runtime_error("cannot find a port not handed out before");
}

TempDir::TempDir() {
  std::string pattern = "/tmp/fical-tmp-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("FICAL_KEEP_TEMP")) return;  // for debugging a failed test
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace fical::testing
