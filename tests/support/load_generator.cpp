#include "tests/support/load_generator.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <optional>

namespace fical::testing {
namespace {

using Clock = std::chrono::steady_clock;

int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// One exchange on a keep-alive connection.
struct Exchange {
  int status = 0;
  std::string body;
  bool got_bytes = false;  // any byte of the answer arrived
  bool keep_alive = true;
  std::string error;
};

Exchange get(int fd, std::uint16_t port, const std::string& path) {
  Exchange ex;
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    ex.error = std::string("send: ") + std::strerror(errno);
    return ex;
  }
  std::string data;
  char buffer[8192];
  std::optional<std::size_t> header_end, content_length;
  for (;;) {
    auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      ex.error = n == 0 ? "connection closed" : std::string("recv: ") + std::strerror(errno);
      return ex;
    }
    ex.got_bytes = true;
    data.append(buffer, static_cast<std::size_t>(n));
    if (!header_end) {
      auto pos = data.find("\r\n\r\n");
      if (pos == std::string::npos) continue;
      header_end = pos + 4;
      ex.status = std::atoi(data.c_str() + 9);
      std::string headers = data.substr(0, pos);
      for (auto& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto cl = headers.find("content-length:");
      if (cl == std::string::npos) {
        ex.error = "no content-length";
        return ex;
      }
      content_length = std::strtoul(headers.c_str() + cl + 15, nullptr, 10);
      ex.keep_alive = headers.find("connection: close") == std::string::npos;
    }
    if (data.size() >= *header_end + *content_length) {
      ex.body = data.substr(*header_end, *content_length);
      while (!ex.body.empty() && (ex.body.back() == '\n' || ex.body.back() == '\r')) ex.body.pop_back();
      return ex;
    }
  }
}

}  // namespace

std::string LoadReport::summary() const {
  std::string text = std::to_string(ok) + " ok, " + std::to_string(failed) + " failed, " +
                     std::to_string(retries) + " retried, longest gap " + std::to_string(longest_gap.count()) +
                     "ms; bodies:";
  for (const auto& [body, count] : bodies) text += " " + body.substr(0, 40) + "=" + std::to_string(count);
  for (const auto& f : failures) text += "\n  failure: " + f;
  return text;
}

LoadGenerator::LoadGenerator(std::uint16_t port, std::string path, int connections, std::chrono::seconds limit)
    : port_(port), path_(std::move(path)), deadline_(Clock::now() + limit), last_ok_(Clock::now()) {
  for (int i = 0; i < connections; ++i) threads_.emplace_back([this] { run_connection(); });
}

LoadGenerator::~LoadGenerator() { stop(); }

void LoadGenerator::record_ok(const std::string& body) {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  if (report_.ok > 0) {
    report_.longest_gap = std::max(report_.longest_gap, std::chrono::duration_cast<std::chrono::milliseconds>(now - last_ok_));
  }
  last_ok_ = now;
  ++report_.ok;
  ++report_.bodies[body];
}

void LoadGenerator::record_failure(const std::string& why) {
  std::lock_guard lock(mutex_);
  ++report_.failed;
  if (report_.failures.size() < 5) report_.failures.push_back(why);
}

void LoadGenerator::run_connection() {
  int fd = -1;
  bool reused = false;
  while (!stopping_ && Clock::now() < deadline_) {
    if (fd < 0) {
      fd = connect_loopback(port_);
      reused = false;
      if (fd < 0) {
        record_failure(std::string("connect: ") + std::strerror(errno));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
    }
    auto ex = get(fd, port_, path_);
    if (!ex.error.empty() && reused && !ex.got_bytes) {
      // The keep-alive connection was closed under us before any answer: retry once.
      ::close(fd);
      fd = connect_loopback(port_);
      reused = false;
      {
        std::lock_guard lock(mutex_);
        ++report_.retries;
      }
      if (fd < 0) {
        record_failure(std::string("reconnect: ") + std::strerror(errno));
        continue;
      }
      ex = get(fd, port_, path_);
    }
    if (!ex.error.empty()) {
      record_failure(ex.error);
      ::close(fd);
      fd = -1;
      continue;
    }
    if (ex.status >= 200 && ex.status < 300) {
      record_ok(ex.body);
    } else {
      record_failure("HTTP " + std::to_string(ex.status) + ": " + ex.body.substr(0, 80));
    }
    reused = true;
    if (!ex.keep_alive) {
      ::close(fd);
      fd = -1;
    }
  }
  if (fd >= 0) ::close(fd);
}

bool LoadGenerator::wait_for_successes(std::uint64_t n) {
  auto until = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < until) {
    {
      std::lock_guard lock(mutex_);
      if (report_.ok >= n) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

LoadReport LoadGenerator::stop() {
  stopping_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mutex_);
  return report_;
}

}  // namespace fical::testing
