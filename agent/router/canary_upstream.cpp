#include "agent/router/canary_upstream.hpp"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

#include "agent/router/upstream.hpp"

namespace fical::agent::router {
namespace {

// Splits `total` among `count` servers, the remainder to the first ones.
void add_servers(std::vector<WeightedServer>& out, const ColorServers& color, unsigned total,
                 bool canary) {
  auto count = static_cast<unsigned>(color.servers.size());
  for (unsigned i = 0; i < count; ++i) {
    unsigned weight = total / count + (i < total % count ? 1 : 0);
    out.push_back({color.servers[i], static_cast<int>(weight), canary});
  }
}

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

}  // namespace

unsigned nginx_hash_slot(std::string_view key, unsigned total_weight) {
  auto crc = crc32(0L, reinterpret_cast<const Bytef*>(key.data()), static_cast<uInt>(key.size()));
  return static_cast<unsigned>((crc >> 16) & 0x7fff) % total_weight;
}

std::string steering_key(unsigned slot, unsigned total_weight) {
  for (unsigned n = 0;; ++n) {
    auto key = "fical-" + std::to_string(n);
    if (nginx_hash_slot(key, total_weight) == slot) return key;
  }
}

unsigned split_total_weight(const CanarySplit& split) {
  auto larger = std::max(split.stable.servers.size(), split.canary.servers.size());
  return 100 * static_cast<unsigned>(std::max<std::size_t>(larger, 1));
}

std::vector<WeightedServer> split_weights(const CanarySplit& split) {
  if (split.canary_percent < 1 || split.canary_percent > 99) {
    throw std::invalid_argument("canary percent " + std::to_string(split.canary_percent) +
                                " is not 1-99");
  }
  if (split.stable.servers.empty() || split.canary.servers.empty()) {
    throw std::invalid_argument("a canary split needs servers of both colors");
  }
  unsigned total = split_total_weight(split);
  unsigned canary = total / 100 * static_cast<unsigned>(split.canary_percent);
  std::vector<WeightedServer> out;
  add_servers(out, split.canary, canary, true);
  add_servers(out, split.stable, total - canary, false);
  return out;
}

std::string nginx_variable_suffix(std::string_view upstream) {
  std::string out(upstream);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::string render_canary_upstream(const CanarySplit& s) {
  auto servers = split_weights(s);
  unsigned total = split_total_weight(s);
  auto name = upstream_name(s.app, s.env, s.service);
  auto suffix = nginx_variable_suffix(name);
  std::string client = "$fical_canary_client_" + suffix;
  std::string key = "$fical_canary_key_" + suffix;
  std::string text =
      "# Written by fical-agent; do not edit (it is replaced on every canary step).\n";
  text += "# app=" + s.app + " env=" + s.env + " service=" + s.service +
          " canary=" + s.canary.color + " release=" + s.canary.version +
          " percent=" + std::to_string(s.canary_percent) + " stable=" + s.stable.color +
          " release=" + s.stable.version + "\n";
  text += "# A client keeps its color: the key is the " + std::string(kCanaryCookie) +
          " cookie, else the client address;\n";
  text += "# " + std::string(kCanaryHeader) + ": always|never picks the canary|stable color.\n";
  text += "map $cookie_" + std::string(kCanaryCookie) + " " + client + " {\n";
  text += "    \"\" $remote_addr;\n";
  text += "    default $cookie_" + std::string(kCanaryCookie) + ";\n";
  text += "}\n";
  std::string header(kCanaryHeader);
  std::transform(header.begin(), header.end(), header.begin(), [](unsigned char c) {
    return c == '-' ? '_' : static_cast<char>(std::tolower(c));
  });
  text += "map $http_" + header + " " + key + " {\n";
  // Slot 0 is the first canary server's, the last slot the last stable server's, at
  // every percent: the two keys stay valid through the whole canary.
  text += "    always " + quoted(steering_key(0, total)) + ";\n";
  text += "    never " + quoted(steering_key(total - 1, total)) + ";\n";
  text += "    default " + client + ";\n";
  text += "}\n";
  text += "upstream " + name + " {\n";
  text += "    hash " + key + ";\n";
  for (const auto& server : servers) {
    text += "    server " + server.server + " weight=" + std::to_string(server.weight) + ";  # " +
            (server.canary ? s.canary.color + " (canary)" : s.stable.color + " (stable)") + "\n";
  }
  text += "    keepalive 16;\n";
  text += "}\n";
  return text;
}

std::string render_canary_common() {
  std::string text = "# Written by fical-agent; do not edit.\n";
  text +=
      "# The access log fical reads to judge a canary (docs/canary.md): one JSON object a line.\n";
  text += "log_format " + std::string(kLogFormatName) + " escape=json\n";
  text +=
      "    "
      "'{\"time\":$msec,\"upstream_name\":\"$proxy_host\",\"upstream_addr\":\"$upstream_addr\",'\n";
  text +=
      "    "
      "'\"status\":$status,\"upstream_status\":\"$upstream_status\",\"request_time\":$request_time,"
      "'\n";
  text += "    '\"upstream_response_time\":\"$upstream_response_time\",'\n";
  text += "    '\"upstream_connect_time\":\"$upstream_connect_time\"}';\n";
  text +=
      "# For `add_header Set-Cookie $fical_canary_cookie;` in a site: set once, to the address\n";
  text += "# the client was first hashed on, so it keeps its color when its address changes.\n";
  text += "map $cookie_" + std::string(kCanaryCookie) + " $fical_canary_cookie {\n";
  text += "    \"\" \"" + std::string(kCanaryCookie) +
          "=$remote_addr; Path=/; Max-Age=86400; SameSite=Lax; HttpOnly\";\n";
  text += "    default \"\";\n";
  text += "}\n";
  return text;
}

}  // namespace fical::agent::router
