#include "agent/api/authenticator.hpp"

#include <algorithm>

#include "agent/api/token_hash.hpp"

namespace fical::agent::api {
namespace {

constexpr std::string_view kScheme = "bearer ";
constexpr std::size_t kMaxTokenBytes = 4096;

bool starts_with_scheme(std::string_view header) {
  if (header.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return false;
  }
  return true;
}

}  // namespace

Authenticator::Authenticator(std::vector<config::Token> tokens) : tokens_(std::move(tokens)) {}

const config::Token* Authenticator::authenticate(std::string_view authorization_header) const {
  if (!starts_with_scheme(authorization_header)) return nullptr;
  auto token = authorization_header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > kMaxTokenBytes) return nullptr;

  const auto presented = sha256_hex(token);
  const config::Token* found = nullptr;
  for (const auto& candidate : tokens_) {
    if (constant_time_equal(presented, candidate.sha256_hex) && found == nullptr) {
      found = &candidate;
    }
  }
  return found;
}

bool has_scope(const config::Token& token, config::Scope scope) {
  return std::any_of(token.scopes.begin(), token.scopes.end(), [&](config::Scope held) {
    // deploy may deploy any version, so it may promote one too.
    return held == scope || held == config::Scope::admin ||
           (scope == config::Scope::promote && held == config::Scope::deploy);
  });
}

bool allows_app(const config::Token& token, std::string_view app) {
  return token.apps.empty() ||
         std::find(token.apps.begin(), token.apps.end(), app) != token.apps.end();
}

}  // namespace fical::agent::api
