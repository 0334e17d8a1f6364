#include "agent/config/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "agent/config/parse_apps.hpp"
#include "agent/config/parse_canary.hpp"
#include "agent/config/parse_env_sources.hpp"
#include "agent/config/parse_metrics.hpp"
#include "agent/config/yaml_reader.hpp"
#include "proto/names.hpp"

namespace fical::agent::config {
namespace {

bool is_ip_literal(const std::string& host, bool& loopback) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    loopback = (ntohl(v4.s_addr) >> 24) == 127;
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    loopback = IN6_IS_ADDR_LOOPBACK(&v6);
    return true;
  }
  return false;
}

std::optional<ListenAddress> parse_listen(const std::string& text, std::string& why) {
  ListenAddress address;
  address.text = text;
  if (text.rfind("unix:", 0) == 0) {
    address.kind = ListenAddress::Kind::unix_socket;
    address.path = text.substr(5);
    if (address.path.empty() || address.path.front() != '/') {
      why = "a unix socket needs an absolute path: unix:/run/fical/agent.sock";
      return std::nullopt;
    }
    if (address.path.size() > 100) {
      why = "unix socket path is too long (at most 100 characters)";
      return std::nullopt;
    }
    return address;
  }
  auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    why = "expected host:port, [ipv6]:port or unix:/path";
    return std::nullopt;
  }
  address.host = text.substr(0, colon);
  if (address.host.size() >= 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    why = "port must be 1-65535";
    return std::nullopt;
  }
  address.port = static_cast<std::uint16_t>(port);
  bool loopback = false;
  if (!is_ip_literal(address.host, loopback)) {
    why = "host must be an IP address such as 127.0.0.1 or [::1]";
    return std::nullopt;
  }
  return address;
}

void parse_http(const YAML::Node& root, YamlReader& r, HttpOptions& http) {
  std::vector<std::string> listen{"127.0.0.1:7070"};
  r.read_string_list(root, "", "listen", listen);
  if (listen.empty()) r.error("listen", "needs at least one address");
  for (std::size_t i = 0; i < listen.size(); ++i) {
    std::string why;
    auto path = "listen[" + std::to_string(i) + "]";
    if (auto address = parse_listen(listen[i], why)) {
      http.listen.push_back(*address);
    } else {
      r.error(path, "\"" + listen[i].substr(0, 80) + "\": " + why);
    }
  }
  if (auto tls = root["tls"]) {
    if (r.expect_map(tls, "tls")) {
      r.reject_unknown_keys(tls, "tls", {"cert_file", "key_file"});
      TlsFiles files;
      if (!r.read_path(tls, "tls", "cert_file", files.cert_file)) r.error("tls.cert_file", "is required");
      if (!r.read_path(tls, "tls", "key_file", files.key_file)) r.error("tls.key_file", "is required");
      http.tls = files;
    }
  }
  r.read_bool(root, "", "insecure", http.insecure);
  for (std::size_t i = 0; i < http.listen.size(); ++i) {
    if (!http.listen[i].is_loopback() && !http.tls && !http.insecure) {
      r.error("listen[" + std::to_string(i) + "]",
              http.listen[i].text + " is not a loopback address: configure tls, or set "
                                    "insecure: true to serve bearer tokens in clear text");
    }
  }
  if (auto limits = root["limits"]) {
    if (!r.expect_map(limits, "limits")) return;
    r.reject_unknown_keys(limits, "limits", {"max_header_bytes", "max_body_bytes", "read_timeout",
                                             "idle_timeout", "max_connections"});
    long value = 0;
    if (r.read_int(limits, "limits", "max_header_bytes", 1024, 1 << 20, value)) {
      http.max_header_bytes = static_cast<std::size_t>(value);
    }
    if (r.read_int(limits, "limits", "max_body_bytes", 1024, 64 << 20, value)) {
      http.max_body_bytes = static_cast<std::size_t>(value);
    }
    if (r.read_int(limits, "limits", "max_connections", 1, 100000, value)) {
      http.max_connections = static_cast<std::size_t>(value);
    }
    r.read_duration(limits, "limits", "read_timeout", http.read_timeout);
    r.read_duration(limits, "limits", "idle_timeout", http.idle_timeout);
  }
}

std::optional<Scope> scope_from_string(const std::string& text) {
  if (text == "read") return Scope::read;
  if (text == "deploy") return Scope::deploy;
  if (text == "admin") return Scope::admin;
  if (text == "promote") return Scope::promote;
  return std::nullopt;
}

bool is_hex64(std::string& text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void parse_tokens(const YAML::Node& root, YamlReader& r, std::vector<Token>& tokens) {
  auto list = root["tokens"];
  if (!list) return;
  if (!list.IsSequence()) {
    r.error("tokens", "must be a list");
    return;
  }
  std::set<std::string> ids, hashes;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto path = "tokens[" + std::to_string(i) + "]";
    if (!r.expect_map(list[i], path)) continue;
    r.reject_unknown_keys(list[i], path, {"id", "sha256", "scopes", "apps"});
    Token token;
    if (!r.read_string(list[i], path, "id", token.id)) r.error(path + ".id", "is required");
    else if (auto bad = proto::check_name(path + ".id", token.id)) r.error("", *bad);
    else if (!ids.insert(token.id).second) r.error(path + ".id", "\"" + token.id + "\" is used twice");
    if (!r.read_string(list[i], path, "sha256", token.sha256_hex)) {
      r.error(path + ".sha256", "is required (the SHA-256 of the token in hex; never the token)");
    } else if (!is_hex64(token.sha256_hex)) {
      r.error(path + ".sha256", "must be 64 hex digits (sha256sum of the token)");
    } else if (!hashes.insert(token.sha256_hex).second) {
      r.error(path + ".sha256", "the same token hash is listed twice");
    }
    std::vector<std::string> scopes;
    if (!r.read_string_list(list[i], path, "scopes", scopes) || scopes.empty()) {
      r.error(path + ".scopes", "needs at least one of read, deploy, promote, admin");
    }
    for (const auto& name : scopes) {
      if (auto scope = scope_from_string(name)) token.scopes.push_back(*scope);
      else r.error(path + ".scopes", "\"" + name.substr(0, 40) + "\" is not read, deploy, promote or admin");
    }
    r.read_string_list(list[i], path, "apps", token.apps);
    for (const auto& app : token.apps) {
      if (auto bad = proto::check_name(path + ".apps", app)) r.error("", *bad);
    }
    tokens.push_back(std::move(token));
  }
}

void parse_docker(const YAML::Node& root, YamlReader& r, DockerOptions& docker) {
  auto node = root["docker"];
  if (!node || !r.expect_map(node, "docker")) return;
  r.reject_unknown_keys(node, "docker", {"socket", "request_timeout", "min_free_disk_mb", "registries"});
  r.read_path(node, "docker", "socket", docker.socket);
  r.read_duration(node, "docker", "request_timeout", docker.request_timeout);
  r.read_int(node, "docker", "min_free_disk_mb", 0, 1L << 30, docker.min_free_disk_mb);
  auto list = node["registries"];
  if (!list) return;
  if (!list.IsSequence()) {
    r.error("docker.registries", "must be a list");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto path = "docker.registries[" + std::to_string(i) + "]";
    if (!r.expect_map(list[i], path)) continue;
    r.reject_unknown_keys(list[i], path, {"server", "username", "password_file"});
    RegistryAuth auth;
    if (!r.read_string(list[i], path, "server", auth.server)) r.error(path + ".server", "is required");
    if (!r.read_string(list[i], path, "username", auth.username)) {
      r.error(path + ".username", "is required");
    }
    if (!r.read_path(list[i], path, "password_file", auth.password_file)) {
      r.error(path + ".password_file", "is required (a root-only file holding the password)");
    }
    docker.registries.push_back(std::move(auth));
  }
}

// nginx.maintenance_port and nginx.maintenance_page; the page path goes into nginx's
// config as a token, so nothing that would end or change one.
void parse_maintenance_keys(const YAML::Node& node, YamlReader& r, NginxOptions& nginx) {
  std::optional<std::uint16_t> port;
  if (r.read_port(node, "nginx", "maintenance_port", port) && port) nginx.maintenance_port = *port;
  if (r.read_path(node, "nginx", "maintenance_page", nginx.maintenance_page)) {
    auto unsafe = [](unsigned char c) {
      return std::iscntrl(c) || std::isspace(c) || std::string_view("\"';{}$\\#").find(static_cast<char>(c)) !=
                                                      std::string_view::npos;
    };
    if (std::any_of(nginx.maintenance_page.begin(), nginx.maintenance_page.end(), unsafe)) {
      r.error("nginx.maintenance_page", "must not hold spaces, quotes, ; { } $ \\ or #");
    }
  }
}

void parse_nginx(const YAML::Node& root, YamlReader& r, NginxOptions& nginx, bool needed) {
  auto node = root["nginx"];
  if (!node) {
    if (needed) r.error("nginx", "is required when apps have services with a port");
    return;
  }
  if (!r.expect_map(node, "nginx")) return;
  r.reject_unknown_keys(node, "nginx", {"upstream_dir", "reload", "test_command", "verify_url",
                                         "access_log", "maintenance_port", "maintenance_page"});
  if (!r.read_path(node, "nginx", "upstream_dir", nginx.upstream_dir)) {
    r.error("nginx.upstream_dir", "is required (fical writes its upstream files there)");
  }
  r.read_string_list(node, "nginx", "test_command", nginx.test_command);
  if (nginx.test_command.empty()) r.error("nginx.test_command", "must not be empty");
  r.read_string(node, "nginx", "verify_url", nginx.verify_url);
  if (!nginx.verify_url.empty() && nginx.verify_url.rfind("http://", 0) != 0) {
    r.error("nginx.verify_url", "must start with http://");
  }
  parse_maintenance_keys(node, r, nginx);
  auto reload = node["reload"];
  if (!reload) return;  // default: SIGHUP to the pid in /run/nginx.pid
  if (!r.expect_map(reload, "nginx.reload")) return;
  r.reject_unknown_keys(reload, "nginx.reload", {"pidfile", "container", "command"});
  if (reload.size() != 1) {
    r.error("nginx.reload", "set exactly one of pidfile, container or command");
    return;
  }
  if (r.read_path(reload, "nginx.reload", "pidfile", nginx.reload.pidfile)) {
    nginx.reload.kind = NginxReload::Kind::pidfile;
  } else if (r.read_string(reload, "nginx.reload", "container", nginx.reload.container)) {
    nginx.reload.kind = NginxReload::Kind::container;
  } else if (r.read_string_list(reload, "nginx.reload", "command", nginx.reload.command)) {
    nginx.reload.kind = NginxReload::Kind::command;
    if (nginx.reload.command.empty()) r.error("nginx.reload.command", "must not be empty");
  }
}

}  // namespace

bool ListenAddress::is_loopback() const {
  if (kind == Kind::unix_socket) return true;
  bool loopback = false;
  return is_ip_literal(host, loopback) && loopback;
}

const Service* Environment::find_service(const std::string& service) const {
  auto it = std::find_if(services.begin(), services.end(), [&](auto& s) { return s.name == service; });
  return it == services.end() ? nullptr : &*it;
}

const Environment* App::find_environment(const std::string& env) const {
  auto it = std::find_if(environments.begin(), environments.end(),
                         [&](auto& e) { return e.name == env; });
  return it == environments.end() ? nullptr : &*it;
}

bool Environment::has_env_sources() const {
  return !sources.empty() || std::any_of(services.begin(), services.end(),
                                         [](const Service& s) { return !s.sources.empty(); });
}

const App* Config::find_app(const std::string& app) const {
  auto it = std::find_if(apps.begin(), apps.end(), [&](auto& a) { return a.name == app; });
  return it == apps.end() ? nullptr : &*it;
}

const char* to_string(Scope scope) {
  switch (scope) {
    case Scope::read: return "read";
    case Scope::deploy: return "deploy";
    case Scope::admin: return "admin";
    case Scope::promote: return "promote";
  }
  return "?";
}

ParseResult parse_config(const std::string& text) {
  ParseResult result;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    result.errors.push_back({"", "not valid YAML at line " + std::to_string(e.mark.line + 1) +
                                     ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg});
    return result;
  }
  if (!root || root.IsNull()) {
    result.errors.push_back({"", "the configuration is empty"});
    return result;
  }
  YamlReader r(result.errors);
  if (!r.expect_map(root, "(top level)")) return result;
  r.reject_unknown_keys(root, "", {"listen", "tls", "insecure", "limits", "docker", "state_dir",
                                   "tokens", "nginx", "apps", "metrics", "aws", "state"});
  Config config;
  parse_http(root, r, config.http);
  parse_tokens(root, r, config.tokens);
  parse_docker(root, r, config.docker);
  r.read_path(root, "", "state_dir", config.state_dir);
  parse_metrics(root, r, config.metrics);
  parse_aws_options(root, r, config.aws);
  parse_state(root, r, config.state);
  config.apps = parse_apps(root, r);
  bool routed = std::any_of(config.apps.begin(), config.apps.end(), [](const App& app) {
    return std::any_of(app.environments.begin(), app.environments.end(), [](const Environment& e) {
      return std::any_of(e.services.begin(), e.services.end(),
                         [](const Service& s) { return s.port || s.blue_port; });
    });
  });
  parse_nginx(root, r, config.nginx, routed);
  parse_canary(root, r, config);
  for (const auto& token : config.tokens) {
    for (const auto& app : token.apps) {
      if (!config.find_app(app)) {
        r.error("tokens", "token \"" + token.id + "\" names app \"" + app + "\", which is not configured");
      }
    }
  }
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

}  // namespace fical::agent::config
