#include "agent/compose/interpolate.hpp"

#include <cctype>

namespace fical::agent::compose {
namespace {

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// The end of the ${...} that starts at `open` (the index of '{'), nested braces included.
std::size_t closing_brace(std::string_view text, std::size_t open) {
  int depth = 0;
  for (auto i = open; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

// One ${...} body: NAME, or NAME followed by an operator and a word (itself interpolated).
Interpolated expand_braced(std::string_view body, const VariableLookup& lookup) {
  std::size_t n = 0;
  while (n < body.size() && is_name_char(body[n])) ++n;
  auto name = std::string(body.substr(0, n));
  if (name.empty() || !is_name_start(name[0])) {
    return {"", "invalid interpolation format for \"${" + std::string(body) + "}\""};
  }
  auto value = lookup(name);
  auto rest = body.substr(n);
  if (rest.empty()) return {value.value_or(""), ""};
  bool colon = rest[0] == ':';
  if (colon) rest.remove_prefix(1);
  if (rest.empty() || (rest[0] != '-' && rest[0] != '?' && rest[0] != '+')) {
    return {"", "invalid interpolation format for \"${" + std::string(body) + "}\""};
  }
  char op = rest[0];
  auto word = interpolate(rest.substr(1), lookup);
  if (!word.ok()) return word;
  bool unset = !value || (colon && value->empty());
  switch (op) {
    case '-':
      return {unset ? word.text : *value, ""};
    case '+':
      return {unset ? "" : word.text, ""};
    default:  // '?'
      if (unset)
        return {"", "required variable " + name + " is missing a value" +
                        (word.text.empty() ? "" : ": " + word.text)};
      return {*value, ""};
  }
}

}  // namespace

Interpolated interpolate(std::string_view text, const VariableLookup& lookup) {
  Interpolated out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out.text += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out.text += '$';
      ++i;
    } else if (i + 1 < text.size() && text[i + 1] == '{') {
      auto close = closing_brace(text, i + 1);
      if (close == std::string_view::npos) {
        return {"", "invalid interpolation format for \"" + std::string(text.substr(i)) +
                        "\": no closing }"};
      }
      auto part = expand_braced(text.substr(i + 2, close - i - 2), lookup);
      if (!part.ok()) return part;
      out.text += part.text;
      i = close;
    } else if (i + 1 < text.size() && is_name_start(text[i + 1])) {
      auto end = i + 1;
      while (end < text.size() && is_name_char(text[end])) ++end;
      out.text += lookup(std::string(text.substr(i + 1, end - i - 1))).value_or("");
      i = end - 1;
    } else {
      out.text += '$';  // a lone $ stays, as compose leaves it
    }
  }
  return out;
}

}  // namespace fical::agent::compose
