#pragma once
// Follows a deployment to its end: streams its events, reconnects and resumes after a drop.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "client/agent_api.hpp"
#include "client/progress_view.hpp"

namespace fical::client {

struct WatchOptions {
  Timeouts::SteadyTime deadline = Timeouts::SteadyTime::max();  // --timeout
  std::string deadline_text = "the timeout";                    // for messages: "15m"
  std::chrono::milliseconds idle{30'000};  // a silent stream is reopened after this
  std::chrono::milliseconds retry_first{200};
  std::chrono::milliseconds retry_max{2'000};
  std::function<void(std::chrono::milliseconds)> sleep;  // defaults to this_thread::sleep_for
};

/// How watching ended: the deployment ended (`ended`), the agent refused (`refused`, exit 3),
/// or the deadline passed while it went on (neither; `last` is the last record seen).
struct WatchOutcome {
  proto::Deployment last;
  bool ended = false;
  std::optional<proto::ApiError> refused;
};

/// Streams events of `accepted` into `view` from seq 0, each once and in order. When the
/// stream drops (agent restart, idle deadline) it reconnects with backoff and resumes at
/// the next seq, until the deadline. Ends with view.finished() or view.gave_up().
WatchOutcome watch_deployment(AgentApi& api, const proto::Deployment& accepted,
                              ProgressView& view, const WatchOptions& options);

}  // namespace fical::client
