#pragma once
// Message-framing rules a request must pass before its body is read (Boost 1.81's parser
// predates Beast's request-smuggling defences, so we refuse ambiguous framing ourselves).
#include <optional>
#include <string>
#include <vector>

namespace fical::agent::http {

/// The framing-relevant facts of a request header.
struct FramingFacts {
  unsigned version = 11;                       // 10 or 11
  std::size_t content_length_fields = 0;       // how many Content-Length fields
  std::vector<std::string> transfer_encodings; // the value of each Transfer-Encoding field
};

/// Why the request must be refused with 400, or std::nullopt when its framing is clear:
/// not both Content-Length and Transfer-Encoding; at most one Transfer-Encoding field and
/// it is exactly "chunked" (case-insensitive); no chunked body in HTTP/1.0.
std::optional<std::string> framing_problem(const FramingFacts& facts);

}  // namespace fical::agent::http
