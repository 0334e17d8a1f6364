// The probes against a real loopback listener (no daemon needed).
#include "agent/deploy/http_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace fical::agent::deploy;
using namespace std::chrono_literals;

namespace {

/// A TCP socket listening on 127.0.0.1 at a port the kernel picked; closed on destruction.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace

TEST_CASE("port_accepts tells a listening port from a closed one, a refused probe says so", "[deploy]") {
  Listener listener;
  auto port = listener.port();
  CHECK(port_accepts("127.0.0.1", port));
  auto silent = http_probe("127.0.0.1", port, "/", 100ms);  // accepted, never answered
  CHECK(silent.status == 0);
  CHECK_FALSE(silent.refused);
  listener.close();
  CHECK_FALSE(port_accepts("127.0.0.1", port));
  auto refused = http_probe("127.0.0.1", port, "/", 100ms);
  CHECK(refused.status == 0);
  CHECK(refused.refused);
  CHECK_THAT(refused.error, Catch::Contains("Connection refused"));
  CHECK_FALSE(port_accepts("not-an-ip", port));
}
