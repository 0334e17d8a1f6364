#include "agent/api/router.hpp"

#include <algorithm>

namespace fical::agent::api {
namespace {

// Splits off the next "/segment"; false when `rest` does not start with '/'.
bool next_segment(std::string_view& rest, std::string_view& segment) {
  if (rest.empty() || rest.front() != '/') return false;
  rest.remove_prefix(1);
  auto end = rest.find('/');
  segment = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return true;
}

}  // namespace

const std::string& Call::param(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return kEmpty;
}

bool match_pattern(std::string_view pattern, std::string_view path, PathParams& params) {
  params.clear();
  std::string_view want, have;
  while (true) {
    bool more_pattern = next_segment(pattern, want);
    bool more_path = next_segment(path, have);
    if (!more_pattern || !more_path) return !more_pattern && !more_path && path.empty();
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (have.empty()) return false;
      params.emplace_back(std::string(want.substr(1, want.size() - 2)), std::string(have));
    } else if (want != have) {
      return false;
    }
  }
}

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  PathParams params;
  for (const auto& route : routes_) {
    if (!match_pattern(route.pattern, path, params)) continue;
    if (route.method == method) {
      result.route = &route;
      result.params = std::move(params);
      result.allowed.clear();
      return result;
    }
    if (std::find(result.allowed.begin(), result.allowed.end(), route.method) ==
        result.allowed.end()) {
      result.allowed.emplace_back(route.method);
    }
  }
  return result;
}

}  // namespace fical::agent::api
