#pragma once
// Between Beast's request types and the API's own: parser setup, framing facts, conversion
// of requests and responses. No coroutines here, so it compiles quickly and fuzzes alone.
#include <boost/beast/http.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "agent/api/request.hpp"

namespace fical::agent::http {

namespace beast_http = boost::beast::http;
using BeastRequest = beast_http::request<beast_http::string_body>;
using BeastResponse = beast_http::response<beast_http::string_body>;
using RequestParser = beast_http::request_parser<beast_http::string_body>;

/// The limits applied to each request read.
struct ReadLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
};

/// A fresh parser's limits; call before each read.
void configure_parser(RequestParser& parser, const ReadLimits& limits);

/// 400's message when the parsed header's framing is ambiguous (see framing.hpp).
std::optional<std::string> check_framing(const BeastRequest& header);

/// The API's view of a complete request; nullopt when the target is not origin-form
/// ("/path?query") or its query does not decode.
std::optional<api::Request> to_api_request(const BeastRequest& request);

/// The Beast response for an API response (without a stream).
BeastResponse to_beast_response(const api::Response& response, const std::string& request_id,
                                unsigned version, bool keep_alive);

/// For fuzzing and tests: parses `bytes` as one request with the server's setup and
/// checks. Returns the API request, or nullopt when the server would refuse it.
std::optional<api::Request> parse_request_bytes(std::string_view bytes, const ReadLimits& limits);

/// A fresh random request id (16 hex digits).
std::string new_request_id();

}  // namespace fical::agent::http
