#pragma once
// Where the agent's log lines go: stderr as text or JSON, or the journal under systemd.
#include "agent/options.hpp"

namespace fical::agent {

/// Sets spdlog's default logger. Text format goes to the journal (with priorities) when
/// stderr is connected to it (JOURNAL_STREAM), else to stderr; JSON always to stderr,
/// one object per line: {"time","level","message"}.
void setup_logging(LogFormat format);

}  // namespace fical::agent
