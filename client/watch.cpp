#include "client/watch.hpp"

#include <algorithm>
#include <thread>

namespace fical::client {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool is_fatal(const proto::ApiError& error) {
  // The agent answers, but will not show this deployment: waiting will not change that.
  return error.code != proto::ErrorCode::internal && error.code != proto::ErrorCode::unavailable &&
         error.code != proto::ErrorCode::too_many_requests;
}

}  // namespace

WatchOutcome watch_deployment(AgentApi& api, const proto::Deployment& accepted,
                              ProgressView& view, const WatchOptions& options) {
  auto sleep = options.sleep ? options.sleep
                             : [](milliseconds d) { std::this_thread::sleep_for(d); };
  WatchOutcome outcome;
  outcome.last = accepted;
  std::uint64_t next_seq = 0;
  bool lost = false;
  milliseconds backoff = options.retry_first;
  std::string trouble;  // why the last attempt did not reach the end

  auto note_trouble = [&](const std::string& why) {
    if (!lost) view.notice("lost the event stream (" + why + "); reconnecting");
    lost = true;
    trouble = why;
  };

  while (Steady::now() < options.deadline) {
    Timeouts timeouts;
    timeouts.idle = options.idle;
    timeouts.deadline = options.deadline;
    try {
      auto streamed = api.events(accepted.id, next_seq, timeouts, [&](const proto::Event& e) {
        if (e.seq < next_seq) return;  // already shown before a reconnect
        if (lost) view.notice("reconnected; resuming at event " + std::to_string(e.seq));
        lost = false;
        next_seq = e.seq + 1;
        view.event(e);
      });
      if (auto* error = std::get_if<proto::ApiError>(&streamed)) {
        if (is_fatal(*error)) {
          outcome.refused = *error;
          return outcome;
        }
        note_trouble(error->message);
      } else {
        auto record = api.deployment(accepted.id);
        if (auto* refusal = std::get_if<proto::ApiError>(&record)) {
          if (is_fatal(*refusal)) {
            outcome.refused = *refusal;
            return outcome;
          }
          note_trouble(refusal->message);
        } else {
          outcome.last = std::get<proto::Deployment>(record);
          if (proto::is_terminal(outcome.last.state)) {
            outcome.ended = true;
            view.finished(outcome.last);
            return outcome;
          }
        }
      }
    } catch (const TransportError& e) {
      // An idle stream is normal during a long phase: reopen it at once, quietly.
      if (e.kind() == TransportError::Kind::timeout && Steady::now() < options.deadline) {
        continue;
      }
      if (e.kind() != TransportError::Kind::timeout) note_trouble(e.what());
    }
    auto left = std::chrono::duration_cast<milliseconds>(options.deadline - Steady::now());
    if (left <= milliseconds::zero()) break;
    sleep(std::min(backoff, left));
    backoff = std::min(backoff * 2, options.retry_max);
    if (!lost) backoff = options.retry_first;
  }
  std::string why = options.deadline_text + " passed";
  if (lost) why += " while the agent was unreachable (" + trouble + ")";
  view.gave_up(outcome.last, why);
  return outcome;
}

}  // namespace fical::client
