#pragma once
// Compose's value grammars that fical reads: durations ("1m30s"), byte sizes ("512M",
// "1gb"), shell-like command strings, port mappings and the URL of a curl/wget health
// check. Pure functions.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fical::agent::compose {

/// "10s", "1m30s", "1.5s", "250ms", "2h" (Go's duration syntax); nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_compose_duration(const std::string& text);

/// "512M", "1gb", "1024k", "536870912" as fical writes sizes ("512m", "1g", "1024k", bytes);
/// nullopt when malformed.
std::optional<std::string> normalize_byte_size(const std::string& text);

/// A command string split as compose splits it (POSIX shell words: quotes and backslashes,
/// no expansion); nullopt when a quote does not close.
std::optional<std::vector<std::string>> split_words(const std::string& text);

/// One entry of a service's `ports`: the container port and the published host port.
struct PortMapping {
  std::uint16_t container = 0;
  std::optional<std::uint16_t> published;
  std::string protocol = "tcp";
};

/// "80", "8080:80", "127.0.0.1:8080:80", "8080:80/tcp"; nullopt for anything else
/// (ranges included).
std::optional<PortMapping> parse_port_mapping(const std::string& text);

/// A health check that GETs a local URL (curl/wget of localhost, 127.0.0.1, 0.0.0.0 or
/// [::1]): its port (80 when not written) and path.
struct LocalUrl {
  std::uint16_t port = 80;
  std::string path = "/";
};

/// The local URL a health check command fetches with curl or wget, if that is all it does
/// besides `|| exit 1`.
std::optional<LocalUrl> local_http_check(const std::vector<std::string>& words);

}  // namespace fical::agent::compose
