#pragma once
// Telling systemd (Type=notify) about readiness, shutdown and liveness.
#include <chrono>
#include <optional>
#include <string>

namespace fical::agent::http {

/// sd_notify("READY=1"); a no-op outside systemd (NOTIFY_SOCKET unset).
void notify_ready();
/// sd_notify("STATUS=..."): the line `systemctl status` shows.
void notify_status(const std::string& text);
/// sd_notify("STOPPING=1").
void notify_stopping();
/// sd_notify("WATCHDOG=1").
void notify_watchdog();
/// How often to ping the watchdog (half of WATCHDOG_USEC), or nullopt when it is off.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace fical::agent::http
