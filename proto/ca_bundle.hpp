#pragma once
// Where the host keeps its CA certificates. The release binaries link OpenSSL (and
// libgit2's mbedTLS) statically, with Debian's compiled-in paths, which other systems lack
// (Amazon Linux and RHEL keep theirs in /etc/pki): the client and the agent's git fetches
// look for the system bundle at run time instead. Shared by agent and client.
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fical::proto {

/// The system CA bundles fical knows, most common first: Debian/Ubuntu, Amazon Linux/RHEL/
/// Fedora (and its extracted form), openSUSE, Alpine.
const std::vector<std::string>& known_ca_bundles();

/// The bundle to verify with: $SSL_CERT_FILE when set (as OpenSSL itself honours it), else
/// the first known bundle that `is_file` accepts, else nullopt (the library's defaults).
std::optional<std::string> find_ca_bundle(const char* ssl_cert_file,
                                          const std::function<bool(const std::string&)>& is_file);

/// find_ca_bundle on this host: the real environment and file system.
std::optional<std::string> system_ca_bundle();

}  // namespace fical::proto
