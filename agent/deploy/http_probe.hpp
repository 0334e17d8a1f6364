#pragma once
// A minimal HTTP GET over a loopback or container address, for health probes and the
// verify step. Plain POSIX sockets with deadlines; no redirects, no TLS.
#include <chrono>
#include <cstdint>
#include <string>

namespace fical::agent::deploy {

struct HttpProbeResult {
  int status = 0;        // 0 when there was no HTTP answer
  std::string body;      // at most the first 4 KiB
  std::string error;     // why there was no answer
  std::string header(const std::string& name) const;
  std::string headers;   // raw header block
};

/// GET http://host:port/path (host an IPv4/IPv6 literal or a resolvable name), HTTP/1.0,
/// Connection: close, bounded by `timeout` overall.
HttpProbeResult http_probe(const std::string& host, std::uint16_t port, const std::string& path,
                           std::chrono::milliseconds timeout);

}  // namespace fical::agent::deploy
