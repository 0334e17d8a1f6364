#include "agent/http/framing.hpp"

namespace fical::agent::http {
namespace {

bool is_exactly_chunked(const std::string& value) {
  static constexpr std::string_view kChunked = "chunked";
  if (value.size() != kChunked.size()) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kChunked[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> framing_problem(const FramingFacts& facts) {
  if (facts.transfer_encodings.empty()) return std::nullopt;
  if (facts.content_length_fields > 0) {
    return "a request may not have both Content-Length and Transfer-Encoding";
  }
  if (facts.transfer_encodings.size() > 1 || !is_exactly_chunked(facts.transfer_encodings[0])) {
    return "the only Transfer-Encoding accepted is \"chunked\"";
  }
  if (facts.version < 11) return "HTTP/1.0 requests may not use chunked transfer coding";
  return std::nullopt;
}

}  // namespace fical::agent::http
