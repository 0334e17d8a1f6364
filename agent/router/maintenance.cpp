#include "agent/router/maintenance.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "agent/router/upstream.hpp"

namespace fical::agent::router {
namespace {

bool safe_secret(const std::string& s) {
  return s.size() >= 16 && s.size() <= 128 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c); });
}

// An absolute path without what ends or changes an nginx token.
bool safe_path(const std::string& p) {
  return !p.empty() && p[0] == '/' && std::none_of(p.begin(), p.end(), [](unsigned char c) {
    return std::iscntrl(c) || std::isspace(c) || c == '"' || c == '\'' || c == ';' || c == '{' ||
           c == '}' || c == '$' || c == '\\' || c == '#';
  });
}

bool safe_address(const std::string& a) {
  return a.rfind("127.", 0) == 0 && std::all_of(a.begin(), a.end(), [](unsigned char c) {
           return std::isdigit(c) || c == '.' || c == ':';
         });
}

std::string live_upstream(const Maintenance& m, const MaintenanceService& s) {
  return upstream_name(m.app, m.env, s.service) + "--live";
}

std::string page_html(const Maintenance& m) {
  std::string message = m.message.empty() ? "This service is down for maintenance." : m.message;
  return "<!doctype html><html><head><meta charset=\\\"utf-8\\\"><title>Maintenance</title></head>"
         "<body><h1>Down for maintenance</h1><p>" +
         html_text(message) + "</p></body></html>\\n";
}

}  // namespace

std::string maintenance_file_name(const std::string& app, const std::string& env) {
  return "_fical-maintenance-" + app + "-" + env + ".conf";
}

std::string maintenance_address(std::string_view upstream, std::uint16_t port,
                                const std::set<std::string>& taken) {
  auto hash = crc32(0L, reinterpret_cast<const Bytef*>(upstream.data()),
                    static_cast<uInt>(upstream.size()));
  // 127.64.0.1 - 127.127.255.254: 22 bits, skipping .0 and .255 in the last octet.
  for (std::uint32_t step = 0;; ++step) {
    std::uint32_t h = (static_cast<std::uint32_t>(hash) + step) & 0x3fffff;
    std::uint32_t last = h & 0xff;
    if (last == 0 || last == 255) continue;
    auto address = "127." + std::to_string(64 + (h >> 16)) + "." + std::to_string((h >> 8) & 0xff) +
                   "." + std::to_string(last) + ":" + std::to_string(port);
    if (!taken.count(address)) return address;
  }
}

std::string html_text(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '$':
        out += "&#36;";
        break;
      case '\\':
        out += "&#92;";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += ' ';
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string render_maintenance_servers(const Maintenance& m) {
  if (!safe_secret(m.verify_secret))
    throw std::invalid_argument("the verify secret must be 16-128 of A-Z a-z 0-9");
  if (!m.page_file.empty() && !safe_path(m.page_file)) {
    throw std::invalid_argument("the maintenance page path cannot be written into nginx's config");
  }
  std::string header(kVerifyHeader);
  std::transform(header.begin(), header.end(), header.begin(), [](unsigned char c) {
    return c == '-' ? '_' : static_cast<char>(std::tolower(c));
  });
  auto retry = std::to_string(std::max<long long>(0, m.retry_after.count()));
  std::string text = "# Written by fical-agent; do not edit (removed when maintenance ends).\n";
  text += "# app=" + m.app + " env=" + m.env + " maintenance: 503 with Retry-After " + retry + "\n";
  for (const auto& s : m.services) {
    if (!safe_address(s.address))
      throw std::invalid_argument("maintenance address " + s.address + " is not loopback");
    auto live = live_upstream(m, s);
    text += "upstream " + live + " {\n";
    for (const auto& server : s.live_servers) text += "    server " + server + ";\n";
    if (s.live_servers.empty()) text += "    server 127.0.0.1:9 down;\n";
    text += "    keepalive 4;\n";
    text += "}\n";
    text += "server {\n";
    text += "    listen " + s.address + ";\n";
    text += "    access_log off;\n";
    text += "    location / {\n";
    text += "        error_page 418 = @live;\n";
    if (!m.page_file.empty()) text += "        error_page 503 /_fical_maintenance.html;\n";
    text += "        if ($http_" + header + " = \"" + m.verify_secret + "\") { return 418; }\n";
    if (m.page_file.empty()) {
      text += "        add_header Retry-After " + retry + " always;\n";
      text += "        add_header Cache-Control no-store always;\n";
      text += "        default_type text/html;\n";
      text += "        return 503 \"" + page_html(m) + "\";\n";
    } else {
      text += "        return 503;\n";
    }
    text += "    }\n";
    if (!m.page_file.empty()) {
      text += "    location = /_fical_maintenance.html {\n";
      text += "        internal;\n";
      text += "        alias " + m.page_file + ";\n";
      text += "        default_type text/html;\n";
      text += "        add_header Retry-After " + retry + " always;\n";
      text += "        add_header Cache-Control no-store always;\n";
      text += "    }\n";
    }
    text += "    location @live {\n";
    text += "        proxy_pass http://" + live + ";\n";
    text += "        proxy_http_version 1.1;\n";
    text += "        proxy_set_header Host $http_host;\n";
    text += "        proxy_set_header Connection \"\";\n";
    text += "    }\n";
    text += "}\n";
  }
  return text;
}

std::string render_maintenance_upstream(const Maintenance& m, const MaintenanceService& s) {
  if (!safe_address(s.address))
    throw std::invalid_argument("maintenance address " + s.address + " is not loopback");
  std::string text =
      "# Written by fical-agent; do not edit (it is replaced when maintenance ends).\n";
  text += "# app=" + m.app + " env=" + m.env + " service=" + s.service + " maintenance: see " +
          maintenance_file_name(m.app, m.env) + "\n";
  text += "upstream " + upstream_name(m.app, m.env, s.service) + " {\n";
  text += "    server " + s.address + ";\n";
  text += "    keepalive 16;\n";
  text += "}\n";
  return text;
}

}  // namespace fical::agent::router
