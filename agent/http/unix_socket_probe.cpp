#include "agent/http/unix_socket_probe.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fical::agent::http {

bool unix_socket_answers(const std::string& path) {
  sockaddr_un address{};
  if (path.empty() || path.size() >= sizeof(address.sun_path)) return false;
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  bool answers = rc == 0 || errno == EAGAIN || errno == EINPROGRESS;
  ::close(fd);
  return answers;
}

}  // namespace fical::agent::http
