#include "agent/compose/compose_values.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace fical::agent::compose {
namespace {

std::optional<std::uint16_t> parse_port(const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_compose_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return std::chrono::milliseconds(0);
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    auto start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (start == i) return std::nullopt;
    double number = 0;
    auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, number);
    if (ec != std::errc() || end != text.data() + i) return std::nullopt;
    auto unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    auto unit = text.substr(unit_start, i - unit_start);
    double scale = unit == "h"    ? 3'600'000
                   : unit == "m"  ? 60'000
                   : unit == "s"  ? 1000
                   : unit == "ms" ? 1
                   : unit == "us" ? 0.001
                   : unit == "ns" ? 1e-6
                                  : -1;
    if (scale < 0) return std::nullopt;
    total_ms += number * scale;
  }
  return std::chrono::milliseconds(std::llround(total_ms));
}

std::optional<std::string> normalize_byte_size(const std::string& text) {
  auto s = lower(text);
  if (s.size() > 1 && s.back() == 'b' && std::isalpha(static_cast<unsigned char>(s[s.size() - 2])))
    s.pop_back();
  if (s.empty()) return std::nullopt;
  std::size_t digits = s.size();
  if (s.back() == 'k' || s.back() == 'm' || s.back() == 'g' || s.back() == 'b')
    digits = s.size() - 1;
  if (digits == 0) return std::nullopt;
  for (std::size_t i = 0; i < digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  if (s.back() == 'b') s.pop_back();  // "1024b": bytes
  return s;
}

std::optional<std::vector<std::string>> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (quote == '"' && c == '\\' && i + 1 < text.size() &&
                 (text[i + 1] == '"' || text[i + 1] == '\\' || text[i + 1] == '$' ||
                  text[i + 1] == '`')) {
        word += text[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) return std::nullopt;
  if (in_word) words.push_back(word);
  return words;
}

std::optional<PortMapping> parse_port_mapping(const std::string& text) {
  PortMapping out;
  auto spec = text;
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    out.protocol = spec.substr(slash + 1);
    spec = spec.substr(0, slash);
  }
  // An IPv6 host address is bracketed: [::1]:8080:80.
  if (!spec.empty() && spec[0] == '[') {
    auto close = spec.find("]:");
    if (close == std::string::npos) return std::nullopt;
    spec = spec.substr(close + 2);
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t colon; (colon = spec.find(':', start)) != std::string::npos; start = colon + 1) {
    parts.push_back(spec.substr(start, colon - start));
  }
  parts.push_back(spec.substr(start));
  if (parts.size() > 3) return std::nullopt;
  auto container = parse_port(parts.back());
  if (!container) return std::nullopt;
  out.container = *container;
  if (parts.size() >= 2 && !parts[parts.size() - 2].empty()) {
    auto published = parse_port(parts[parts.size() - 2]);
    if (!published) return std::nullopt;
    out.published = published;
  }
  return out;
}

std::optional<LocalUrl> local_http_check(const std::vector<std::string>& words) {
  if (words.empty()) return std::nullopt;
  auto program = words[0].substr(words[0].rfind('/') + 1);
  if (program != "curl" && program != "wget") return std::nullopt;
  std::optional<LocalUrl> found;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto& w = words[i];
    if (w == "||") {  // only `|| exit 1` may follow
      if (i + 3 != words.size() || words[i + 1] != "exit") return std::nullopt;
      break;
    }
    if (w == "&&" || w == "|" || w == ";") return std::nullopt;
    if (w.rfind("http://", 0) != 0) continue;
    if (found) return std::nullopt;  // two URLs
    auto rest = w.substr(7);
    std::string host;
    if (rest.rfind("[::1]", 0) == 0) {
      host = "[::1]";
    } else {
      host = rest.substr(0, rest.find_first_of(":/"));
    }
    if (host != "localhost" && host != "127.0.0.1" && host != "0.0.0.0" && host != "[::1]")
      return std::nullopt;
    rest = rest.substr(host.size());
    LocalUrl url;
    if (!rest.empty() && rest[0] == ':') {
      auto port = parse_port(rest.substr(
          1, rest.find('/') == std::string::npos ? std::string::npos : rest.find('/') - 1));
      if (!port) return std::nullopt;
      url.port = *port;
      rest = rest.find('/') == std::string::npos ? "" : rest.substr(rest.find('/'));
    }
    if (!rest.empty()) url.path = rest;
    found = url;
  }
  return found;
}

}  // namespace fical::agent::compose
