#pragma once
// How many times slower than the plain build this one runs: the sanitizer builds
// (scripts/sanitize.sh) stretch the waits of tests that race a timer against real work.

namespace fical::testing {

#if defined(__SANITIZE_THREAD__)
inline constexpr int kSlowdown = 8;
#elif defined(__SANITIZE_ADDRESS__)
inline constexpr int kSlowdown = 2;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr int kSlowdown = 8;
#elif __has_feature(address_sanitizer)
inline constexpr int kSlowdown = 2;
#else
inline constexpr int kSlowdown = 1;
#endif
#else
inline constexpr int kSlowdown = 1;
#endif

}  // namespace fical::testing
