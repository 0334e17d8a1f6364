#include "proto/names.hpp"

#include <algorithm>

namespace fical::proto {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_tag_char(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '-';
}

// Shows a value in an error message without letting it flood or forge the message.
std::string quoted(std::string_view value) {
  constexpr std::size_t kMaxShown = 80;
  std::string out = "\"";
  for (char c : value.substr(0, kMaxShown)) {
    out += (c >= 0x20 && c < 0x7f && c != '"') ? c : '?';
  }
  out += value.size() > kMaxShown ? "...\"" : "\"";
  return out;
}

}  // namespace

std::optional<std::string> check_name(std::string_view field, std::string_view value) {
  auto fail = [&](std::string_view why) {
    return std::string(field) + ": " + quoted(value) + " " + std::string(why);
  };
  if (value.empty()) return std::string(field) + ": must not be empty";
  if (value.size() > 63) return fail("is longer than 63 characters");
  if (!is_lower_alnum(value.front())) return fail("must start with a lowercase letter or digit");
  if (!std::ranges::all_of(value, [](char c) { return is_lower_alnum(c) || c == '-'; })) {
    return fail("may contain only lowercase letters, digits and '-'");
  }
  return std::nullopt;
}

std::optional<std::string> check_version(std::string_view field, std::string_view value) {
  auto fail = [&](std::string_view why) {
    return std::string(field) + ": " + quoted(value) + " " + std::string(why);
  };
  if (value.empty()) return std::string(field) + ": must not be empty";
  if (value.size() > 128) return fail("is longer than 128 characters (Docker's tag limit)");
  if (value.front() == '.' || value.front() == '-') {
    return fail("must start with a letter, digit or '_'");
  }
  if (!std::ranges::all_of(value, is_tag_char)) {
    return fail("may contain only letters, digits, '_', '.' and '-' (Docker's tag grammar)");
  }
  return std::nullopt;
}

}  // namespace fical::proto
