#pragma once
// Whether a process answers on a unix socket path (plain POSIX; no Asio).
#include <string>

namespace fical::agent::http {

/// True when connect() to the unix socket at `path` succeeds (or the listener's backlog is
/// full, which also means someone listens). False for a missing path, a stale socket file
/// nobody listens on, or a path too long for sockaddr_un.
bool unix_socket_answers(const std::string& path);

}  // namespace fical::agent::http
