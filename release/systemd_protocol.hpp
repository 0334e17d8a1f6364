#pragma once
// The three libsystemd calls fical-agent makes (sd_notify, sd_watchdog_enabled and the
// sd_journal_send calls of spdlog's journald sink), spoken directly: Debian ships no
// static libsystemd, and the fully static release binaries (release/CMakeLists.txt) link
// libsystemd_shim.cpp, which forwards to these. Both protocols are documented as stable
// interfaces by systemd (sd_notify(3), "Native Journal Protocol").
#include <cstdarg>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace fical::release::systemd {

using JournalFields = std::vector<std::pair<std::string, std::string>>;

/// Sends one datagram to the unix socket `path` ("@name" is an abstract socket).
/// Returns 0, or -errno.
int send_datagram(std::string_view path, std::string_view payload);

/// sd_notify: sends `state` to $NOTIFY_SOCKET. 0 when it is unset, 1 when sent, -errno.
int notify(std::string_view state);

/// sd_watchdog_enabled's rule on the values of $WATCHDOG_USEC and $WATCHDOG_PID (either
/// may be null): the interval in microseconds, or nullopt when the watchdog is off or
/// meant for another process than `self`.
std::optional<std::uint64_t> watchdog_usec(const char* usec, const char* pid, pid_t self);

/// One entry in the native journal protocol's encoding: "KEY=value\n", or for a value
/// holding a newline "KEY\n" + its length as 64-bit little endian + value + "\n".
std::string encode_journal_entry(const JournalFields& fields);

/// Formats one sd_journal_send argument ("KEY=..." with the conversions %s, %.*s, %d,
/// %i, %u, %zu, %ld, %lu, %llu and %%), taking its values from `args`. nullopt for any
/// other conversion or a field without '=' (the caller then sends nothing: a wrong
/// va_arg would read garbage).
std::optional<std::pair<std::string, std::string>> format_journal_field(const char* format,
                                                                        va_list& args);

/// sd_journal_send: the NULL-terminated list of formats and their values, as one entry
/// to `socket` (journald's /run/systemd/journal/socket). 0, or -errno.
int journal_send(const char* socket, const char* format, va_list& args);

}  // namespace fical::release::systemd
