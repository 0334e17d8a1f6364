#pragma once
// SHA-256 and HMAC-SHA-256 as lowercase hex (OpenSSL).
#include <string>
#include <string_view>

namespace fical::agent::store {

/// The SHA-256 of `text` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view text);

/// HMAC-SHA-256 of `text` under `key`, as 64 lowercase hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view text);

}  // namespace fical::agent::store
