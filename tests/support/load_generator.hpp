#pragma once
// Steady HTTP load through nginx while a deployment runs: counts every failed request and
// the longest time without a successful one. Bounded: stops at stop() or its time limit.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fical::testing {

/// What the load saw. A failed request is a non-2xx answer or a connection error. A request
/// that dies on a reused keep-alive connection before any byte of answer (nginx closes idle
/// connections on reload) is retried once on a fresh connection, as browsers do, and
/// counted in `retries`, not as a failure.
struct LoadReport {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t retries = 0;
  std::chrono::milliseconds longest_gap{0};   // between successful answers
  std::map<std::string, std::uint64_t> bodies;  // answer body -> count (the app's version)
  std::vector<std::string> failures;          // the first few, for the test's message
  std::string summary() const;
};

/// Loops GET 127.0.0.1:port/path on `connections` keep-alive connections.
class LoadGenerator {
 public:
  LoadGenerator(std::uint16_t port, std::string path, int connections = 2,
                std::chrono::seconds limit = std::chrono::seconds(120));
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  /// Waits until at least `n` requests succeeded (bounded by 10 s): the load is flowing.
  bool wait_for_successes(std::uint64_t n);
  /// Stops the load and returns what it saw.
  LoadReport stop();

 private:
  void run_connection();
  void record_ok(const std::string& body);
  void record_failure(const std::string& why);

  std::uint16_t port_;
  std::string path_;
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  LoadReport report_;
  std::chrono::steady_clock::time_point last_ok_;
  std::vector<std::thread> threads_;
};

}  // namespace fical::testing
