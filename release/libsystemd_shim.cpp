// The libsystemd symbols fical-agent uses, for the fully static release binaries only
// (Debian ships libsystemd as a shared library alone). Each forwards to
// release/systemd_protocol.hpp; the developer build links the real libsystemd.
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdlib>

#include "release/systemd_protocol.hpp"

namespace systemd = fical::release::systemd;

extern "C" {

int sd_notify(int unset_environment, const char* state) {
  if (state == nullptr) return -EINVAL;
  int result = systemd::notify(state);
  if (unset_environment != 0) ::unsetenv("NOTIFY_SOCKET");
  return result;
}

int sd_watchdog_enabled(int unset_environment, uint64_t* usec) {
  auto interval = systemd::watchdog_usec(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), ::getpid());
  if (unset_environment != 0) {
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
  if (!interval) return 0;
  if (usec != nullptr) *usec = *interval;
  return 1;
}

// In parentheses: <systemd/sd-journal.h> defines sd_journal_send as a macro.
int(sd_journal_send)(const char* format, ...) {
  va_list args;
  va_start(args, format);
  int result = systemd::journal_send("/run/systemd/journal/socket", format, args);
  va_end(args);
  return result;
}

}  // extern "C"
