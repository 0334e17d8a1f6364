#include "proto/ca_bundle.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace fical::proto {

const std::vector<std::string>& known_ca_bundles() {
  static const std::vector<std::string> bundles{
      "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Arch
      "/etc/pki/tls/certs/ca-bundle.crt",                   // Amazon Linux, RHEL, Fedora
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // the same, as extracted
      "/etc/ssl/ca-bundle.pem",                             // openSUSE
      "/etc/ssl/cert.pem",                                  // Alpine
  };
  return bundles;
}

std::optional<std::string> find_ca_bundle(const char* ssl_cert_file,
                                          const std::function<bool(const std::string&)>& is_file) {
  if (ssl_cert_file != nullptr && *ssl_cert_file != '\0') return std::string(ssl_cert_file);
  for (const auto& bundle : known_ca_bundles()) {
    if (is_file(bundle)) return bundle;
  }
  return std::nullopt;
}

std::optional<std::string> system_ca_bundle() {
  return find_ca_bundle(std::getenv("SSL_CERT_FILE"), [](const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);  // follows symlinks
  });
}

}  // namespace fical::proto
