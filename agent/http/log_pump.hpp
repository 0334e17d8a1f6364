#pragma once
// Hands log chunks from a blocking producer thread to the I/O side, with backpressure.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "proto/errors.hpp"

namespace fical::agent::http {

/// A bounded queue of text between DeploymentService::logs (on a worker thread) and the
/// connection that streams it. push() waits while `max_buffered` bytes are queued and
/// returns false once the reader stopped. Thread-safety: every method locks.
class LogPump {
 public:
  explicit LogPump(std::size_t max_buffered) : max_buffered_(max_buffered) {}

  /// Producer: queue a chunk; false when the reader has stopped (the producer should end).
  bool push(std::string_view chunk);
  /// Producer: no more chunks; `error` when logs() failed.
  void finish(std::optional<proto::ApiError> error);

  struct Taken {
    std::string text;                      // everything queued so far
    bool finished = false;                 // the producer is done and nothing remains
    std::optional<proto::ApiError> error;  // with finished: why it failed
  };
  /// Reader: takes what is queued without waiting.
  Taken take();
  /// Reader: stop; wakes a waiting producer, whose push() then returns false.
  void stop();

 private:
  std::mutex mutex_;
  std::condition_variable space_;
  std::deque<std::string> chunks_;
  std::size_t buffered_ = 0;
  std::size_t max_buffered_;
  bool finished_ = false;
  bool stopped_ = false;
  std::optional<proto::ApiError> error_;
};

}  // namespace fical::agent::http
