#pragma once
// SHA-256 of bearer tokens and constant-time comparison (OpenSSL).
#include <string>
#include <string_view>

namespace fical::agent::api {

/// The SHA-256 of `text` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view text);

/// Compares without an early exit on the first difference (CRYPTO_memcmp); a length
/// mismatch is reported at once, which reveals only the length.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace fical::agent::api
