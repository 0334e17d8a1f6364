#pragma once
// Recorded-style deployments and events for the client's output tests.
#include <chrono>
#include <string>
#include <vector>

#include "proto/deployment.hpp"

namespace fical::client::testing {

inline proto::TimePoint at(int seconds) {
  return *proto::parse_time("2026-11-26T22:03:13.000Z") + std::chrono::seconds(seconds);
}

inline proto::Deployment accepted_deployment() {
  proto::Deployment d;
  d.id = "dep-42";
  d.app = "web";
  d.env = "staging";
  d.version = "v3";
  d.previous_version = "v2";
  d.actor = "ci";
  d.state = proto::DeploymentState::pending;
  d.created_at = at(0);
  return d;
}

inline proto::Event event(std::uint64_t seq, int second, proto::Phase phase, std::string message,
                          nlohmann::json data = nullptr,
                          proto::EventLevel level = proto::EventLevel::info) {
  return {seq, at(second), phase, level, std::move(message), std::move(data)};
}

/// A normal deploy: resolve, a pull in 10 steps, then every phase to done.
inline std::vector<proto::Event> successful_events() {
  using proto::Phase;
  std::vector<proto::Event> events{event(0, 0, Phase::resolve, "resolved web:v3")};
  std::uint64_t seq = 1;
  for (int i = 1; i <= 10; ++i) {
    events.push_back(event(seq++, i, Phase::pull, "pulling 127.0.0.1:5000/web:v3",
                           {{"bytes", 2'000'000 * i}, {"total", 20'000'000}}));
  }
  for (auto [phase, text] : {std::pair{Phase::start, "starting green"},
                             std::pair{Phase::health, "waiting for /health"},
                             std::pair{Phase::health, "healthy after 1.2s"},
                             std::pair{Phase::switch_traffic, "nginx now points at green"},
                             std::pair{Phase::verify, "verified v3 through nginx"},
                             std::pair{Phase::drain, "draining blue for 10s"},
                             std::pair{Phase::retire, "stopped blue"},
                             std::pair{Phase::done, "v3 is live"}}) {
    events.push_back(event(seq, 10 + static_cast<int>(seq), phase, text));
    ++seq;
  }
  return events;
}

inline proto::Deployment ended(proto::DeploymentState state, std::vector<proto::Event> events,
                               std::string error = {}) {
  auto d = accepted_deployment();
  d.state = state;
  d.phase = events.empty() ? proto::Phase::preflight : events.back().phase;
  d.ended_at = at(38);
  d.error = std::move(error);
  d.events = std::move(events);
  return d;
}

}  // namespace fical::client::testing
