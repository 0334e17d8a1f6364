#pragma once
// Bearer-token authentication and scope/app authorisation against the configured tokens.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config.hpp"

namespace fical::agent::api {

/// Finds the configured token an Authorization header presents. Only hashes are held.
/// Thread-safety: immutable after construction; safe to share.
class Authenticator {
 public:
  explicit Authenticator(std::vector<config::Token> tokens);

  /// The token for "Bearer <token>", or nullptr when the header is missing, malformed or
  /// names no configured token. Hashes the presented token once and compares it with every
  /// configured hash in constant time (no early exit on a match).
  const config::Token* authenticate(std::string_view authorization_header) const;

 private:
  std::vector<config::Token> tokens_;
};

/// admin implies every scope; deploy implies promote (not read); promote implies nothing.
bool has_scope(const config::Token& token, config::Scope scope);
/// A token without an app list may act on every app.
bool allows_app(const config::Token& token, std::string_view app);

}  // namespace fical::agent::api
