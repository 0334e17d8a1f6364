#pragma once
// The byte-moving half of the Docker client, behind a Boost-free interface: HttpDockerEngine
// speaks in Requests and Responses; UnixSocketTransport (Beast) does the socket work.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agent/docker/requests.hpp"

namespace fical::agent::docker {

using Clock = std::chrono::steady_clock;

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

/// The body of a streamed answer, read piece by piece from the caller's thread.
/// Destroying it before the end closes the connection (which cancels a pull).
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  /// The next bytes of the body; nullopt at its end. Throws DockerError(timeout) when the
  /// deadline of the call passes, DockerError(unreachable) when the daemon goes away.
  virtual std::optional<std::string> next() = 0;
};

/// Sends requests to the daemon. Thread-safe; each call has a deadline.
class Transport {
 public:
  virtual ~Transport() = default;

  /// Sends `request` (target already versioned) and reads the whole answer.
  virtual Response send(const Request& request, Clock::time_point deadline) = 0;

  /// Sends `request` and reads the head. On 2xx, `stream` gets the body reader; otherwise the
  /// body is read into the Response (for the error message) and `stream` stays empty.
  virtual Response open(const Request& request, Clock::time_point deadline,
                        std::unique_ptr<ResponseStream>& stream) = 0;

  /// How many connections broke so far (daemon gone or restarted). The engine renegotiates
  /// the API version when this number has grown since it last did.
  virtual std::uint64_t broken_connections() const = 0;
};

/// The transport over a unix socket (Boost.Beast, C++20 coroutines on its own io thread).
std::unique_ptr<Transport> make_unix_socket_transport(std::string socket_path);

}  // namespace fical::agent::docker
