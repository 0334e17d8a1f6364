#include "agent/source/repo_url.hpp"

#include <algorithm>

namespace fical::agent::source {

std::string redact_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto host_start = scheme + 3;
  auto path_start = url.find('/', host_start);
  auto at = url.rfind('@', path_start == std::string::npos ? url.size() : path_start);
  if (at == std::string::npos || at < host_start) return url;
  return url.substr(0, host_start) + "***" + url.substr(at);
}

bool is_http_url(const std::string& url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

bool is_ssh_url(const std::string& url) {
  if (url.rfind("ssh://", 0) == 0) return true;
  if (url.find("://") != std::string::npos || url.empty() || url[0] == '/' || url[0] == '.') return false;
  auto colon = url.find(':');
  auto slash = url.find('/');
  return colon != std::string::npos && (slash == std::string::npos || colon < slash);
}

bool looks_like_commit(const std::string& ref) {
  return ref.size() >= 4 && ref.size() <= 40 &&
         std::all_of(ref.begin(), ref.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
  return text;
}

}  // namespace fical::agent::source
