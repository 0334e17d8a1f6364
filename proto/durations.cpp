#include "proto/durations.hpp"

#include <charconv>
#include <cstdint>

namespace fical::proto {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  constexpr std::int64_t kMaxMillis = 7LL * 24 * 3600 * 1000;
  if (text == "0") return std::chrono::milliseconds{0};
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data() || value < 0) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else return std::nullopt;
  if (value > kMaxMillis / scale) return std::nullopt;
  return std::chrono::milliseconds{value * scale};
}

std::string format_duration(std::chrono::milliseconds duration) {
  auto ms = duration.count();
  if (ms == 0) return "0s";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace fical::proto
