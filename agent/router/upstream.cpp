#include "agent/router/upstream.hpp"

namespace fical::agent::router {

std::string upstream_name(const std::string& app, const std::string& env, const std::string& service) {
  return app + "-" + env + "-" + service;
}

std::string upstream_file_name(const UpstreamTarget& target) {
  return upstream_name(target.app, target.env, target.service) + ".conf";
}

std::string render_upstream(const UpstreamTarget& t) {
  std::string text = "# Written by fical-agent; do not edit (it is replaced on every deploy).\n";
  text += "# app=" + t.app + " env=" + t.env + " service=" + t.service + " color=" + t.color +
          " release=" + t.version + "\n";
  text += "upstream " + upstream_name(t.app, t.env, t.service) + " {\n";
  for (const auto& server : t.servers) text += "    server " + server + ";\n";
  if (t.servers.empty()) {
    // Never a name: nginx resolves names when it loads its config, and an unknown one
    // fails nginx -t and nginx's start for every site it serves.
    text += "    # " + (t.down_reason.empty() ? std::string("no server") : t.down_reason) + ": requests get 502\n";
    text += "    server 127.0.0.1:9 down;\n";
  }
  text += "    keepalive 16;\n";
  text += "}\n";
  return text;
}

}  // namespace fical::agent::router
