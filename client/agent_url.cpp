#include "client/agent_url.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

namespace fical::client {
namespace {

std::string fail(std::string_view text, std::string_view why) {
  std::string shown;
  for (char c : text.substr(0, 120)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  return "url: \"" + shown + "\" " + std::string(why) +
         " (expected http://HOST:PORT, https://HOST[:PORT] or unix:/PATH)";
}

std::variant<AgentUrl, std::string> parse_unix(std::string_view text) {
  std::string_view path = text.substr(5);
  if (path.starts_with("//")) path.remove_prefix(2);  // unix:///run/x.sock
  if (path.empty() || path.front() != '/') return fail(text, "needs an absolute socket path");
  if (path.size() > 107) return fail(text, "has a socket path longer than 107 bytes");
  for (char c : path) {
    if (c == '\0' || c == '\n' || c == '\r') return fail(text, "has a control character");
  }
  AgentUrl url;
  url.scheme = AgentUrl::Scheme::unix_socket;
  url.socket_path = std::string(path);
  return url;
}

}  // namespace

std::variant<AgentUrl, std::string> parse_agent_url(std::string_view text) {
  if (text.starts_with("unix:")) return parse_unix(text);
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return fail(text, "is not a URL");
  AgentUrl url;
  if (parsed->scheme() == "http") {
    url.scheme = AgentUrl::Scheme::http;
    url.port = 80;
  } else if (parsed->scheme() == "https") {
    url.scheme = AgentUrl::Scheme::https;
    url.port = 443;
  } else {
    return fail(text, "has an unsupported scheme");
  }
  if (parsed->has_userinfo()) return fail(text, "must not carry credentials (use a token file)");
  if (parsed->has_query() || parsed->has_fragment()) return fail(text, "must not have ? or #");
  url.host = std::string(parsed->encoded_host_name());
  if (parsed->host_type() == boost::urls::host_type::ipv6) {
    url.host = parsed->host_ipv6_address().to_string();
  } else if (parsed->host_type() == boost::urls::host_type::ipv4) {
    url.host = parsed->host_ipv4_address().to_string();
  } else if (parsed->host_type() != boost::urls::host_type::name) {
    return fail(text, "has an unsupported host");
  }
  if (url.host.empty()) return fail(text, "has no host");
  if (parsed->has_port()) {
    auto port = parsed->port();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return fail(text, "has a bad port");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  std::string path(parsed->encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  url.base_path = path;
  return url;
}

std::string AgentUrl::host_header() const {
  if (scheme == Scheme::unix_socket) return "localhost";
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool AgentUrl::is_local() const {
  if (scheme == Scheme::unix_socket) return true;
  bool ipv4_literal = host.find_first_not_of("0123456789.") == std::string::npos;
  return host == "localhost" || host == "::1" || (ipv4_literal && host.starts_with("127."));
}

std::string AgentUrl::display() const {
  switch (scheme) {
    case Scheme::unix_socket:
      return "unix:" + socket_path;
    case Scheme::https:
      return "https://" + host_header() + base_path;
    case Scheme::http:
      break;
  }
  return "http://" + host_header() + base_path;
}

}  // namespace fical::client
