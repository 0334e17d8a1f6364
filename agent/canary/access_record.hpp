#pragma once
// One line of nginx's `fical_canary` access log (docs/canary.md) as data. Pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fical::agent::canary {

/// One try of one upstream server within a request (nginx retries on the next server
/// after a failed connect or, per proxy_next_upstream, an error).
struct Attempt {
  std::string address;                  // "172.20.0.7:3000"
  int status = 0;                       // the upstream's status; 502/504 from nginx; 0: "-"
  std::optional<double> response_time;  // seconds; none when "-"
  bool connect_failed = false;          // no connection made ($upstream_connect_time "-")
};

/// A request nginx proxied, with every upstream try in order.
struct AccessRecord {
  double time = 0;            // $msec: seconds since the epoch, millisecond resolution
  std::string upstream_name;  // $proxy_host: the upstream group's name
  int status = 0;             // what the client got
  double request_time = 0;
  std::vector<Attempt> attempts;
};

/// Parses one log line; std::nullopt for a line that is not a fical_canary record (another
/// format in the same file, a torn line) or a request nginx did not proxy.
std::optional<AccessRecord> parse_access_line(std::string_view line);

/// Splits nginx's per-try list ("a, b : c": ", " between tries, " : " between upstream
/// groups after an internal redirect) into its items.
std::vector<std::string> split_upstream_list(std::string_view text);

}  // namespace fical::agent::canary
