#pragma once
// A minimal HTTP GET over a loopback or container address, for health probes and the
// verify step. Plain POSIX sockets with deadlines; no redirects, no TLS.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fical::agent::deploy {

/// Extra request headers (name, value); one with CR or LF in it is not sent.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpProbeResult {
  int status = 0;        // 0 when there was no HTTP answer
  std::string body;      // at most the first 4 KiB
  std::string error;     // why there was no answer
  bool refused = false;  // nothing listens on the port (ECONNREFUSED)
  std::string header(const std::string& name) const;
  std::string headers;   // raw header block
};

/// GET http://host:port/path (host an IPv4/IPv6 literal or a resolvable name), HTTP/1.0,
/// Connection: close, with `headers`, bounded by `timeout` overall.
HttpProbeResult http_probe(const std::string& host, std::uint16_t port, const std::string& path,
                           std::chrono::milliseconds timeout, const HttpHeaders& headers = {});

/// Whether a TCP connection to host:port (an IP literal) is accepted within `timeout`; the
/// connection is closed at once, nothing is sent.
bool port_accepts(const std::string& host, std::uint16_t port,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(50));

}  // namespace fical::agent::deploy
