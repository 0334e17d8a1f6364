#include "agent/compose/dotenv.hpp"

#include <cctype>

namespace fical::agent::compose {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_key(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return false;
  }
  return true;
}

// The value after '=': quoted forms end at their closing quote; nullopt when it never closes.
std::optional<std::string> parse_value(std::string_view raw) {
  raw = trim(raw);
  if (raw.empty()) return std::string();
  char quote = raw[0];
  if (quote == '\'' || quote == '"') {
    std::string out;
    for (std::size_t i = 1; i < raw.size(); ++i) {
      if (raw[i] == quote) return out;
      if (quote == '"' && raw[i] == '\\' && i + 1 < raw.size()) {
        char next = raw[++i];
        out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
      } else {
        out += raw[i];
      }
    }
    return std::nullopt;
  }
  auto comment = raw.find(" #");
  return std::string(trim(raw.substr(0, comment)));
}

}  // namespace

DotEnv parse_dotenv(std::string_view text) {
  DotEnv out;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    auto end = text.find('\n');
    auto line = trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    auto eq = line.find('=');
    auto key = trim(line.substr(0, eq));
    if (eq == std::string_view::npos || !is_key(key)) {
      out.error = "line " + std::to_string(line_number) + ": expected KEY=VALUE";
      return out;
    }
    auto value = parse_value(line.substr(eq + 1));
    if (!value) {
      out.error = "line " + std::to_string(line_number) + ": the quoted value of " +
                  std::string(key) + " does not end on its line";
      return out;
    }
    out.variables[std::string(key)] = *value;
  }
  return out;
}

}  // namespace fical::agent::compose
