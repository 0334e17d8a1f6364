#include "agent/deploy/http_probe.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fical::agent::deploy {
namespace {

constexpr std::size_t kMaxResponse = 64 * 1024;

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(left, 0));
}

bool wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd pfd{fd, events, 0};
  for (;;) {
    int rc = ::poll(&pfd, 1, remaining_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    return rc > 0;
  }
}

}  // namespace

std::string HttpProbeResult::header(const std::string& name) const {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  auto all = lower(headers);
  auto pos = all.find("\r\n" + lower(name) + ":");
  if (pos == std::string::npos) return {};
  auto start = pos + name.size() + 3;
  auto end = headers.find("\r\n", start);
  auto value = headers.substr(start, end - start);
  value.erase(0, value.find_first_not_of(' '));
  return value;
}

HttpProbeResult http_probe(const std::string& host, std::uint16_t port, const std::string& path,
                           std::chrono::milliseconds timeout, const HttpHeaders& headers) {
  HttpProbeResult result;
  auto deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    result.error = "cannot resolve " + host + ": " + ::gai_strerror(rc);
    return result;
  }
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int rc = fd < 0 ? -1 : ::connect(fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  auto fail = [&](std::string why) {
    result.error = std::move(why);
    if (fd >= 0) ::close(fd);
    return result;
  };
  if (fd < 0) return fail(std::string("socket: ") + std::strerror(errno));
  if (rc != 0 && errno != EINPROGRESS) {
    result.refused = errno == ECONNREFUSED;
    return fail(std::string("connect: ") + std::strerror(errno));
  }
  if (!wait_for(fd, POLLOUT, deadline)) return fail("connect: timed out");
  int so_error = 0;
  socklen_t len = sizeof so_error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error != 0) {
    result.refused = so_error == ECONNREFUSED;
    return fail(std::string("connect: ") + std::strerror(so_error));
  }
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: fical-agent\r\n";
  for (const auto& [name, value] : headers) {
    if ((name + value).find_first_of("\r\n") == std::string::npos) request += name + ": " + value + "\r\n";
  }
  request += "Connection: close\r\n\r\n";
  std::string_view pending = request;
  while (!pending.empty()) {
    if (!wait_for(fd, POLLOUT, deadline)) return fail("send: timed out");
    auto n = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return fail(std::string("send: ") + std::strerror(errno));
    pending.remove_prefix(static_cast<std::size_t>(n));
  }
  std::string response;
  char buffer[4096];
  for (;;) {
    if (!wait_for(fd, POLLIN, deadline)) return fail("no answer within " + std::to_string(timeout.count()) + "ms");
    auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return fail(std::string("recv: ") + std::strerror(errno));
    if (n == 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
    if (response.size() > kMaxResponse) break;
  }
  ::close(fd);
  auto header_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12 || header_end == std::string::npos) {
    result.error = response.empty() ? "connection closed without an answer" : "not an HTTP answer";
    return result;
  }
  result.status = std::atoi(response.c_str() + 9);
  result.headers = response.substr(0, header_end);
  result.body = response.substr(header_end + 4, 4096);
  return result;
}

bool port_accepts(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int rc = fd < 0 ? -1 : ::connect(fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (fd < 0) return false;
  bool connected = rc == 0;
  if (rc != 0 && errno == EINPROGRESS && wait_for(fd, POLLOUT, Clock::now() + timeout)) {
    int so_error = 0;
    socklen_t len = sizeof so_error;
    connected = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0 && so_error == 0;
  }
  ::close(fd);
  return connected;
}

}  // namespace fical::agent::deploy
