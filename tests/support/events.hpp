#pragma once
// Finding a deployment's events by what they record (their data's "event" kind), so tests
// assert on data rather than on the English of the messages.
#include <nlohmann/json.hpp>
#include <string_view>

#include "proto/deployment.hpp"

namespace fical::testing {

/// The data of the first event of `d` whose data["event"] is `kind`, or nullptr.
inline const nlohmann::json* event_data(const proto::Deployment& d, std::string_view kind) {
  for (const auto& e : d.events) {
    if (e.data.is_object() && e.data.value("event", "") == kind) return &e.data;
  }
  return nullptr;
}

/// Whether any event of `d` ran in `phase`.
inline bool has_phase_event(const proto::Deployment& d, proto::Phase phase) {
  for (const auto& e : d.events) {
    if (e.phase == phase) return true;
  }
  return false;
}

}  // namespace fical::testing
