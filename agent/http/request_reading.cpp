#include "agent/http/request_reading.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <random>

#include "agent/http/framing.hpp"

namespace fical::agent::http {

void configure_parser(RequestParser& parser, const ReadLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
}

std::optional<std::string> check_framing(const BeastRequest& header) {
  FramingFacts facts;
  facts.version = header.version();
  facts.content_length_fields = header.count(beast_http::field::content_length);
  auto [begin, end] = header.equal_range(beast_http::field::transfer_encoding);
  for (auto it = begin; it != end; ++it) facts.transfer_encodings.emplace_back(it->value());
  return framing_problem(facts);
}

std::optional<api::Request> to_api_request(const BeastRequest& request) {
  auto target = request.target();
  auto parsed = boost::urls::parse_origin_form(std::string_view(target.data(), target.size()));
  if (!parsed) return std::nullopt;
  api::Request out;
  out.method = std::string(request.method_string());
  out.path = std::string(parsed->encoded_path());
  try {
    for (auto param : parsed->params()) out.query.emplace_back(param.key, param.value);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  for (const auto& field : request) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = request.body();
  return out;
}

BeastResponse to_beast_response(const api::Response& response, const std::string& request_id,
                                unsigned version, bool keep_alive) {
  BeastResponse out{static_cast<beast_http::status>(response.status), version};
  out.set(beast_http::field::content_type, response.content_type);
  out.set(beast_http::field::cache_control, "no-store");
  out.set("X-Request-Id", request_id);
  for (const auto& [name, value] : response.headers) out.set(name, value);
  out.body() = response.body;
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

std::optional<api::Request> parse_request_bytes(std::string_view bytes, const ReadLimits& limits) {
  RequestParser parser;
  configure_parser(parser, limits);
  boost::beast::error_code ec;
  bool framing_checked = false;
  while (!parser.is_done()) {
    auto used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(used);
    if (ec) return std::nullopt;  // need_more included: the request is incomplete
    if (parser.is_header_done() && !framing_checked) {
      if (check_framing(parser.get())) return std::nullopt;
      framing_checked = true;
    }
    if (used == 0 && !parser.is_done()) return std::nullopt;
  }
  return to_api_request(parser.get());
}

std::string new_request_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  auto value = random();
  std::string id(16, '0');
  for (auto& c : id) {
    c = kHex[value & 0xf];
    value >>= 4;
  }
  return id;
}

}  // namespace fical::agent::http
