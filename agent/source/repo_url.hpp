#pragma once
// Pure helpers about repository addresses and refs (no libgit2).
#include <string>

namespace fical::agent::source {

/// The URL with any user:password@ replaced by ***@, safe to log.
std::string redact_url(const std::string& url);

/// True for https:// and http:// URLs (token auth applies).
bool is_http_url(const std::string& url);

/// True for ssh:// URLs and scp-like user@host:path (key auth applies).
bool is_ssh_url(const std::string& url);

/// True when `ref` could be a full or short commit id: 4 to 40 lowercase hex digits.
bool looks_like_commit(const std::string& ref);

/// Replaces every occurrence of `secret` (when not empty) in `text` by "***".
std::string scrub(std::string text, const std::string& secret);

}  // namespace fical::agent::source
