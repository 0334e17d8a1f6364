#pragma once
// Pure text pieces of the client's output: summaries, failure reasons, pull progress.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/deployment.hpp"

namespace fical::client {

/// Pull progress carried by an event: data {"bytes": done, "total": all} (both bytes).
struct PullProgress {
  std::uint64_t bytes = 0;
  std::uint64_t total = 0;
  int percent() const;  // 0..100; 0 when the total is unknown
};
std::optional<PullProgress> pull_progress(const proto::Event& event);

/// Why a deployment did not go live, and the last log lines that explain it.
struct FailureDetails {
  std::string reason;                  // the deployment's error, else its last error event
  std::vector<std::string> log_lines;  // from the failing event's data.logs (array or text)
  std::string log_phase;               // the phase those logs belong to
};
FailureDetails failure_details(const proto::Deployment& deployment);

/// "FAILED: <reason>" and the last log lines, never longer than max_chars.
std::string failure_block(const proto::Deployment& deployment, std::size_t max_chars);

/// One line: app/env, release, kind and id, duration, result.
std::string summary_line(const proto::Deployment& deployment);

/// The message for a watch that stopped before the deployment ended (exit 4).
std::string timeout_message(const proto::Deployment& deployment, std::string_view why);

/// Text safe to print: control characters (escape sequences included) become '?',
/// and the text is cut to max_chars with "...".
std::string printable(std::string_view text, std::size_t max_chars);

std::string format_bytes(std::uint64_t bytes);        // "12.3 MB"
std::string format_elapsed(std::chrono::milliseconds elapsed);  // "850ms", "38.2s", "4m12s"
std::string clock_time(proto::TimePoint time);        // "22:03:13" (UTC)

}  // namespace fical::client
