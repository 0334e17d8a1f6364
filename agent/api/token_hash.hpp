#pragma once
// SHA-256 of bearer tokens and constant-time comparison (OpenSSL).
#include <string>
#include <string_view>

#include "agent/store/digest.hpp"

namespace fical::agent::api {

using store::sha256_hex;

/// Compares without an early exit on the first difference (CRYPTO_memcmp); a length
/// mismatch is reported at once, which reveals only the length.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace fical::agent::api
