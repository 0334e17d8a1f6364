#pragma once
// Waiting for a new container to be ready: probes polled fast, then backing off,
// bounded by a deadline; a probe that sees a fatal state ends the wait at once.
#include <chrono>
#include <functional>
#include <string>

#include "agent/deploy/clock.hpp"

namespace fical::agent::deploy {

/// What one probe saw.
struct ProbeOutcome {
  enum class Kind { ready, not_yet, fatal };
  Kind kind = Kind::not_yet;
  std::string detail;  // e.g. "GET /health answered 503", "container exited with code 3"
  bool port_closed = false;  // not_yet because nothing listens on the HTTP port yet

  static ProbeOutcome ready() { return {Kind::ready, {}}; }
  static ProbeOutcome not_yet(std::string detail) { return {Kind::not_yet, std::move(detail)}; }
  static ProbeOutcome fatal(std::string detail) { return {Kind::fatal, std::move(detail)}; }
  static ProbeOutcome closed(std::string detail) { return {Kind::not_yet, std::move(detail), true}; }
};

struct GateResult {
  bool ready = false;
  bool cancelled = false;
  int probes = 0;
  std::chrono::milliseconds waited{0};
  std::string detail;  // the last probe's detail when not ready
};

struct GateTiming {
  std::chrono::milliseconds first_interval{100};
  std::chrono::milliseconds max_interval{2000};
  std::chrono::milliseconds deadline{60000};
};

/// How often, between probes, `opened` is asked whether the port has started listening.
inline constexpr std::chrono::milliseconds kPortWatchInterval{10};

/// Probes at once, then after first_interval, doubling up to max_interval, until the
/// probe is ready or fatal, `cancelled()` is true, or the deadline passes. After a probe
/// that found the port closed, `opened` (when given) is polled every kPortWatchInterval
/// and the next probe comes as soon as it says true: the app is seen ready within ~10 ms
/// of listening, without probing Docker and the app that often.
GateResult wait_until_ready(const std::function<ProbeOutcome()>& probe, const GateTiming& timing,
                            Clock& clock, const std::function<bool()>& cancelled,
                            const std::function<bool()>& opened = {});

}  // namespace fical::agent::deploy
