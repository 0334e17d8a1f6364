#pragma once
// One HTTP exchange with the agent, as data. The Beast implementation is http_transport.cpp.
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fical::client {

struct HttpRequest {
  std::string method;  // GET, POST
  std::string target;  // /v1/...?query, already encoded
  std::string body;    // JSON, or empty
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;  // the whole body; for streams, only when the status is not 2xx
};

/// Deadlines of one exchange: connecting, each read or write (idle), and the whole of it.
struct Timeouts {
  using SteadyTime = std::chrono::steady_clock::time_point;
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds idle{30'000};
  SteadyTime deadline = SteadyTime::max();
};

/// The agent could not be reached, a deadline passed, or the connection broke.
class TransportError : public std::runtime_error {
 public:
  enum class Kind { unreachable, timeout, broken, tls };
  TransportError(Kind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

/// Receives a streamed body piece by piece; returns false to stop reading.
using ChunkSink = std::function<bool(std::string_view chunk)>;

/// Sends requests to the agent. Implementations: BeastTransport (TCP, TLS, unix socket),
/// and fakes in unit tests. Every call throws TransportError when no answer arrives in time.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Sends and reads the whole answer.
  virtual HttpResponse send(const HttpRequest& request, const Timeouts& timeouts) = 0;
  /// Sends, then hands a 2xx body to `sink` as it arrives, until the server ends it (or the
  /// sink says stop). A non-2xx answer is returned whole, without calling the sink.
  virtual HttpResponse stream(const HttpRequest& request, const Timeouts& timeouts,
                              const ChunkSink& sink) = 0;
};

/// Splits a byte stream into lines (NDJSON); a line longer than max_line is an error.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line = 4 * 1024 * 1024) : max_line_(max_line) {}
  /// Calls on_line for each complete line in `chunk` (without the '\n' or a '\r').
  /// Returns false when a line grows past max_line.
  bool feed(std::string_view chunk, const std::function<void(std::string_view)>& on_line);
  /// The text after the last '\n' (a stream that ends mid-line).
  const std::string& rest() const { return pending_; }

 private:
  std::size_t max_line_;
  std::string pending_;
};

}  // namespace fical::client
