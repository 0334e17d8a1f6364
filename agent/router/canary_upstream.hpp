#pragma once
// A canary's nginx upstream: both colors in the one upstream the site config proxy_passes
// to, split by weight with a sticky hash key. Pure text rendering; see docs/canary.md.
#include <string>
#include <string_view>
#include <vector>

namespace fical::agent::router {

/// One color's servers during a canary and what it runs (for the file's comment).
struct ColorServers {
  std::string color;
  std::string version;
  std::vector<std::string> servers;  // addresses only, never names (see upstream.hpp)
};

/// What one service's upstream splits between while a canary runs.
struct CanarySplit {
  std::string app;
  std::string env;
  std::string service;
  ColorServers stable;
  ColorServers canary;
  int canary_percent = 10;  // 1-99; 0 and 100 are plain single-color files (upstream.hpp)
};

/// One `server` line of the split: canary servers first, then stable ones.
struct WeightedServer {
  std::string server;
  int weight = 1;
  bool canary = false;
};

/// The cookie that keeps a client on its color, and the tester header.
inline constexpr std::string_view kCanaryCookie = "fical_canary";
inline constexpr std::string_view kCanaryHeader = "X-Fical-Canary";  // always | never

/// nginx's slot for `key` in a `hash` upstream (ngx_http_upstream_hash_module, the first
/// try): ((crc32(key) >> 16) & 0x7fff) % total_weight. The peers own consecutive slots
/// in the order of their server lines, each as many as its weight.
unsigned nginx_hash_slot(std::string_view key, unsigned total_weight);

/// A key whose slot is `slot`: "fical-<n>" for the smallest such n.
std::string steering_key(unsigned slot, unsigned total_weight);

/// The constant total weight of a split: 100 per server of the larger color, so every
/// server gets at least 1 at any percent and the slot of a key never changes while the
/// percent moves (which is what makes growing the canary monotone).
unsigned split_total_weight(const CanarySplit& split);

/// The server lines with their weights. Throws std::invalid_argument when a color has no
/// server or the percent is not 1-99.
std::vector<WeightedServer> split_weights(const CanarySplit& split);

/// The nginx variable name part for an upstream: "acc-prod-web" -> "acc_prod_web"
/// (names are [a-z0-9-], so this is one-to-one).
std::string nginx_variable_suffix(std::string_view upstream);

/// The text of {app}-{env}-{service}.conf during a canary: two maps choosing the hash key
/// (tester header, else the cookie, else the client address) and the weighted upstream.
std::string render_canary_upstream(const CanarySplit& split);

/// "_fical.conf": what every canary file and the operator's lines rely on, written once:
/// the `fical_canary` log_format and the $fical_canary_cookie variable for the optional
/// `add_header Set-Cookie $fical_canary_cookie;` line of a site config.
inline constexpr std::string_view kCommonFileName = "_fical.conf";
inline constexpr std::string_view kLogFormatName = "fical_canary";
std::string render_canary_common();

}  // namespace fical::agent::router
