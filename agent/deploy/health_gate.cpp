#include "agent/deploy/health_gate.hpp"

#include <algorithm>

namespace fical::agent::deploy {

GateResult wait_until_ready(const std::function<ProbeOutcome()>& probe, const GateTiming& timing,
                            Clock& clock, const std::function<bool()>& cancelled,
                            const std::function<bool()>& opened) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  GateResult result;
  auto started = clock.now();
  auto deadline = started + timing.deadline;
  auto interval = timing.first_interval;
  for (;;) {
    auto outcome = probe();
    ++result.probes;
    result.waited = duration_cast<milliseconds>(clock.now() - started);
    result.detail = outcome.detail;
    if (outcome.kind == ProbeOutcome::Kind::ready) {
      result.ready = true;
      return result;
    }
    if (outcome.kind == ProbeOutcome::Kind::fatal) return result;
    if (cancelled()) {
      result.cancelled = true;
      return result;
    }
    auto now = clock.now();
    if (now >= deadline) {
      result.detail = "not ready after " + std::to_string(timing.deadline.count()) + "ms: " + result.detail;
      return result;
    }
    auto next = now + std::min(interval, duration_cast<milliseconds>(deadline - now));
    if (outcome.port_closed && opened) {
      while (clock.now() < next && !opened()) {
        clock.sleep_for(std::min(kPortWatchInterval, duration_cast<milliseconds>(next - clock.now())));
      }
    } else {
      clock.sleep_for(duration_cast<milliseconds>(next - now));
    }
    interval = std::min(interval * 2, timing.max_interval);
  }
}

}  // namespace fical::agent::deploy
