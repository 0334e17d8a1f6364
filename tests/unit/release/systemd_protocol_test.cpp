#include "release/systemd_protocol.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdarg>
#include <optional>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/support/test_env.hpp"

namespace systemd = fical::release::systemd;

namespace {

/// A bound unix datagram socket in a temp dir: what systemd listens on.
class DatagramServer {
 public:
  DatagramServer() : path_((dir_.path() / "notify.sock").string()) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval limit{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  ~DatagramServer() { ::close(fd_); }
  const std::string& path() const { return path_; }
  std::string receive() {
    std::string buffer(65536, '\0');
    auto n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    REQUIRE(n >= 0);
    buffer.resize(static_cast<size_t>(n));
    return buffer;
  }

 private:
  fical::testing::TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

/// Sets an environment variable for the scope, restoring its earlier value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) ::setenv(name, value, 1); else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1); else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::optional<std::pair<std::string, std::string>> field(const char* format, ...) {
  va_list args;
  va_start(args, format);
  auto result = systemd::format_journal_field(format, args);
  va_end(args);
  return result;
}

int send_entry(const char* socket, const char* format, ...) {
  va_list args;
  va_start(args, format);
  int result = systemd::journal_send(socket, format, args);
  va_end(args);
  return result;
}

}  // namespace

TEST_CASE("notify sends the state to NOTIFY_SOCKET, and does nothing without it", "[release]") {
  DatagramServer server;
  {
    ScopedEnv env("NOTIFY_SOCKET", server.path().c_str());
    CHECK(systemd::notify("READY=1") == 1);
    CHECK(server.receive() == "READY=1");
    CHECK(systemd::notify("STATUS=deploying web") == 1);
    CHECK(server.receive() == "STATUS=deploying web");
  }
  ScopedEnv unset("NOTIFY_SOCKET", nullptr);
  CHECK(systemd::notify("READY=1") == 0);
  ScopedEnv missing("NOTIFY_SOCKET", (server.path() + ".gone").c_str());
  CHECK(systemd::notify("READY=1") < 0);
  CHECK(systemd::send_datagram("relative.sock", "x") == -EINVAL);
}

TEST_CASE("the watchdog interval follows WATCHDOG_USEC and WATCHDOG_PID", "[release]") {
  CHECK(systemd::watchdog_usec("30000000", nullptr, 42) == 30'000'000u);
  CHECK(systemd::watchdog_usec("30000000", "42", 42) == 30'000'000u);
  CHECK_FALSE(systemd::watchdog_usec("30000000", "43", 42));
  CHECK_FALSE(systemd::watchdog_usec(nullptr, "42", 42));
  CHECK_FALSE(systemd::watchdog_usec("0", nullptr, 42));
  CHECK_FALSE(systemd::watchdog_usec("30s", nullptr, 42));
  CHECK_FALSE(systemd::watchdog_usec("", nullptr, 42));
}

TEST_CASE("journal entries use the native protocol's two encodings", "[release]") {
  CHECK(systemd::encode_journal_entry({{"MESSAGE", "ready"}, {"PRIORITY", "6"}}) ==
        "MESSAGE=ready\nPRIORITY=6\n");
  std::string two_lines = systemd::encode_journal_entry({{"MESSAGE", "a\nb"}});
  CHECK(two_lines == std::string("MESSAGE\n\x03\0\0\0\0\0\0\0a\nb\n", 8 + 8 + 4));
}

TEST_CASE("journal fields are formatted like sd_journal_send's arguments", "[release]") {
  std::string payload = "listening on 127.0.0.1:7070 and more";
  CHECK(field("MESSAGE=%.*s", 27, payload.data()) == std::pair<std::string, std::string>{"MESSAGE", payload.substr(0, 27)});
  CHECK(field("PRIORITY=%d", 6) == std::pair<std::string, std::string>{"PRIORITY", "6"});
  CHECK(field("TID=%zu", size_t{1234567}) == std::pair<std::string, std::string>{"TID", "1234567"});
  CHECK(field("CODE_FILE=%s", "main.cpp") == std::pair<std::string, std::string>{"CODE_FILE", "main.cpp"});
  CHECK(field("RATE=100%%") == std::pair<std::string, std::string>{"RATE", "100%"});
  CHECK_FALSE(field("VALUE=%f", 1.5));
  CHECK_FALSE(field("no equals sign"));
}

TEST_CASE("journal_send sends one entry of all fields to the socket", "[release]") {
  DatagramServer journal;
  std::string message = "fical-agent ready";
  CHECK(send_entry(journal.path().c_str(), "MESSAGE=%.*s", static_cast<int>(message.size()), message.data(),
                   "PRIORITY=%d", 6, "SYSLOG_IDENTIFIER=%.*s", 11, "fical-agent", nullptr) == 0);
  CHECK(journal.receive() == "MESSAGE=fical-agent ready\nPRIORITY=6\nSYSLOG_IDENTIFIER=fical-agent\n");
  CHECK(send_entry(journal.path().c_str(), "MESSAGE=%f", 1.0, nullptr) == -EINVAL);
}
