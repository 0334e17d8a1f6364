// Named networks against the real private dockerd: create-time aliases, connect with
// aliases, inspect; names resolved by Docker's embedded DNS from inside the containers.
#include <algorithm>
#include <catch2/catch.hpp>

#include "agent/docker/transport.hpp"
#include "tests/integration/docker/docker_test_env.hpp"

using namespace fical::agent::docker;
using namespace fical::testing;
using namespace std::chrono_literals;

namespace {

/// A bridge network for one test, made and removed with raw requests (the engine does not
/// create networks: the operator does).
class TestNetwork {
 public:
  explicit TestNetwork(std::string name)
      : name_(std::move(name)), transport_(make_unix_socket_transport(TestEnv::get().docker_socket)) {
    auto version = docker().version().negotiated_version;
    prefix_ = "/v" + version;
    Request create{"POST", prefix_ + "/networks/create", {{"Content-Type", "application/json"}},
                   R"({"Name": ")" + name_ + R"(", "Driver": "bridge", "CheckDuplicate": true})"};
    auto response = transport_->send(create, Clock::now() + 30s);
    REQUIRE(response.status == 201);
  }
  ~TestNetwork() {
    try {
      transport_->send({"DELETE", prefix_ + "/networks/" + name_, {}, {}}, Clock::now() + 30s);
    } catch (const std::exception&) {
    }
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string prefix_;
  std::unique_ptr<Transport> transport_;
};

bool resolves(const std::string& container, const std::string& host) {
  return docker().exec(container, {{"nslookup", host}, {}, "", 20s}).exit_code == 0;
}

}  // namespace

TEST_CASE("docker: containers on named networks with aliases, connected and inspected",
          "[docker]") {
  TestNetwork front(unique_name("front"));
  TestNetwork back(unique_name("back"));

  auto a_spec = app_spec(unique_name("net-a"), "v1", 8080);
  a_spec.network = front.name();
  a_spec.network_aliases = {"backend"};
  auto a = docker().create_container(a_spec);
  ContainerGuard guard_a(a);
  auto b_spec = app_spec(unique_name("net-b"), "v1", 8080);
  b_spec.network = back.name();
  auto b = docker().create_container(b_spec);
  ContainerGuard guard_b(b);
  docker().start_container(a);
  docker().start_container(b);

  docker().connect_network(front.name(), b, {"worker"});

  auto network = docker().inspect_network(front.name());
  REQUIRE(network);
  CHECK(network->name == front.name());
  CHECK(network->driver == "bridge");
  CHECK(network->containers.count(a) == 1);
  CHECK(network->containers.count(b) == 1);
  auto b_info = docker().inspect_container(b);
  REQUIRE(b_info);
  CHECK(b_info->networks.size() == 2);
  auto& aliases = b_info->network_aliases.at(front.name());
  CHECK(std::find(aliases.begin(), aliases.end(), "worker") != aliases.end());

  CHECK(resolves(b, "backend"));  // a's create-time alias, seen from b
  CHECK(resolves(a, "worker"));   // b's connect-time alias, seen from a
  CHECK_FALSE(resolves(a, "nobody-by-this-name"));
  CHECK_FALSE(docker().inspect_network(unique_name("missing")));
}
