#pragma once
// Maintenance mode as nginx files: one env's routes answer 503 with Retry-After and a
// page, through a loopback server nginx itself serves; fical's verify request (a secret
// header) still reaches the live color. Pure text rendering; see docs/canary.md.
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fical::agent::router {

/// The header that lets fical's verify request past the maintenance page.
inline constexpr std::string_view kVerifyHeader = "X-Fical-Verify";

/// One service route of an env in maintenance.
struct MaintenanceService {
  std::string service;
  std::vector<std::string> live_servers;  // the live color's addresses; empty: 502 for verify
  std::string address;  // "127.a.b.c:port" the maintenance server listens on (maintenance_address)
};

/// An env in maintenance: what its page says and who may pass.
struct Maintenance {
  std::string app;
  std::string env;
  std::string message;  // plain text, HTML-escaped into the built-in page
  std::chrono::seconds retry_after{600};
  std::string page_file;      // as nginx sees it; empty: the built-in page
  std::string verify_secret;  // 16-128 of [A-Za-z0-9]
  std::vector<MaintenanceService> services;
};

/// "_fical-maintenance-{app}-{env}.conf": the env's loopback server blocks.
std::string maintenance_file_name(const std::string& app, const std::string& env);

/// A loopback address for one upstream's maintenance server: 127.64.0.0/10 by a hash of
/// the upstream name, stepping past addresses in `taken` (other upstreams in maintenance).
/// Linux answers every 127/8 address on lo, in a container's namespace too, so nginx
/// binds it without configuration and nothing else is likely to.
std::string maintenance_address(std::string_view upstream, std::uint16_t port,
                                const std::set<std::string>& taken);

/// Escapes plain text for HTML inside an nginx quoted string: & < > " ' and also $ and \,
/// which nginx would read as a variable or an escape.
std::string html_text(std::string_view text);

/// The env's maintenance file: per service, a "{upstream}--live" upstream and a server
/// on its address answering 503 (Retry-After, Cache-Control: no-store, the page), or
/// passing a request with the verify header to the live upstream.
/// Throws std::invalid_argument on a secret, page path or address it cannot render safely.
std::string render_maintenance_servers(const Maintenance& maintenance);

/// {app}-{env}-{service}.conf while the env is in maintenance: the service's upstream
/// points at its maintenance server, so the site's `proxy_pass` line stays as it is.
std::string render_maintenance_upstream(const Maintenance& maintenance,
                                        const MaintenanceService& service);

}  // namespace fical::agent::router
