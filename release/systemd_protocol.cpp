#include "release/systemd_protocol.hpp"

#include "agent/store/unique_fd.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace fical::release::systemd {
namespace {

using Fd = agent::store::UniqueFd;

template <typename T>
void append_number(std::string& out, T value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec == std::errc{}) out.append(buf, end);
}

}  // namespace

int send_datagram(std::string_view path, std::string_view payload) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path || (path[0] != '/' && path[0] != '@')) {
    return -EINVAL;
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return -errno;
  auto sent = ::sendto(fd.get(), payload.data(), payload.size(), MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&addr), length);
  if (sent < 0) return -errno;
  return 0;
}

int notify(std::string_view state) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') return 0;
  int result = send_datagram(socket, state);
  return result < 0 ? result : 1;
}

std::optional<std::uint64_t> watchdog_usec(const char* usec, const char* pid, pid_t self) {
  if (usec == nullptr) return std::nullopt;
  std::uint64_t value = 0;
  std::string_view text(usec);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0) return std::nullopt;
  if (pid != nullptr) {
    long owner = 0;
    std::string_view pid_text(pid);
    auto [pend, pec] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), owner);
    if (pec != std::errc{} || pend != pid_text.data() + pid_text.size() || owner != self) {
      return std::nullopt;
    }
  }
  return value;
}

std::string encode_journal_entry(const JournalFields& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    out += key;
    if (value.find('\n') == std::string::npos) {
      out += '=';
      out += value;
    } else {
      out += '\n';
      std::uint64_t size = value.size();
      for (int i = 0; i < 8; ++i) out += static_cast<char>((size >> (8 * i)) & 0xff);
      out += value;
    }
    out += '\n';
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> format_journal_field(const char* format,
                                                                        va_list& args) {
  std::string text;
  for (const char* p = format; *p != '\0'; ++p) {
    if (*p != '%') {
      text += *p;
      continue;
    }
    std::string_view rest(p + 1);
    auto starts = [&](std::string_view conversion) { return rest.substr(0, conversion.size()) == conversion; };
    if (starts("%")) {
      text += '%';
      p += 1;
    } else if (starts(".*s")) {
      int length = va_arg(args, int);
      const char* value = va_arg(args, const char*);
      if (value != nullptr && length > 0) text.append(value, ::strnlen(value, static_cast<size_t>(length)));
      p += 3;
    } else if (starts("s")) {
      const char* value = va_arg(args, const char*);
      text += value != nullptr ? value : "(null)";
      p += 1;
    } else if (starts("d") || starts("i")) {
      append_number(text, va_arg(args, int));
      p += 1;
    } else if (starts("u")) {
      append_number(text, va_arg(args, unsigned));
      p += 1;
    } else if (starts("zu")) {
      append_number(text, va_arg(args, size_t));
      p += 2;
    } else if (starts("ld")) {
      append_number(text, va_arg(args, long));
      p += 2;
    } else if (starts("lu")) {
      append_number(text, va_arg(args, unsigned long));
      p += 2;
    } else if (starts("llu")) {
      append_number(text, va_arg(args, unsigned long long));
      p += 3;
    } else {
      return std::nullopt;
    }
  }
  auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) return std::nullopt;
  return std::pair{text.substr(0, equals), text.substr(equals + 1)};
}

int journal_send(const char* socket, const char* format, va_list& args) {
  JournalFields fields;
  for (const char* f = format; f != nullptr; f = va_arg(args, const char*)) {
    auto field = format_journal_field(f, args);
    if (!field) return -EINVAL;
    fields.push_back(std::move(*field));
  }
  return send_datagram(socket, encode_journal_entry(fields));
}

}  // namespace fical::release::systemd
