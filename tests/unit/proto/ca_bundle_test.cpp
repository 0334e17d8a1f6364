#include "proto/ca_bundle.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using fical::proto::find_ca_bundle;

namespace {
/// A file system holding exactly `files`.
auto holding(std::set<std::string> files) {
  return [files = std::move(files)](const std::string& path) { return files.count(path) == 1; };
}
}  // namespace

TEST_CASE("the CA bundle is Debian's, Amazon Linux's or RHEL's, whichever the host has", "[proto]") {
  CHECK(find_ca_bundle(nullptr, holding({"/etc/ssl/certs/ca-certificates.crt"})) ==
        "/etc/ssl/certs/ca-certificates.crt");
  CHECK(find_ca_bundle(nullptr, holding({"/etc/pki/tls/certs/ca-bundle.crt"})) ==
        "/etc/pki/tls/certs/ca-bundle.crt");
  CHECK(find_ca_bundle(nullptr, holding({"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"})) ==
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem");
  CHECK(find_ca_bundle(nullptr, holding({"/etc/ssl/ca-bundle.pem"})) == "/etc/ssl/ca-bundle.pem");
  CHECK(find_ca_bundle(nullptr, holding({"/etc/ssl/cert.pem"})) == "/etc/ssl/cert.pem");
  // Amazon Linux has both the bundle and its extracted form: the bundle comes first.
  CHECK(find_ca_bundle(nullptr, holding({"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                                         "/etc/pki/tls/certs/ca-bundle.crt"})) ==
        "/etc/pki/tls/certs/ca-bundle.crt");
}

TEST_CASE("SSL_CERT_FILE overrides the known bundles, none found leaves OpenSSL's default", "[proto]") {
  CHECK(find_ca_bundle("/opt/corp/ca.pem", holding({"/etc/ssl/certs/ca-certificates.crt"})) ==
        "/opt/corp/ca.pem");
  CHECK(find_ca_bundle("", holding({"/etc/ssl/cert.pem"})) == "/etc/ssl/cert.pem");
  CHECK_FALSE(find_ca_bundle(nullptr, holding({"/etc/ssl/certs/other.pem"})));
}
