#pragma once
// The route table's shape and the matching of a method and path against it.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/api/request.hpp"
#include "agent/config/config.hpp"

namespace fical::agent::api {

struct Deps;

/// Values captured from {name} segments of a pattern, in order.
using PathParams = std::vector<std::pair<std::string, std::string>>;

/// What a route handler gets: the request, its path parameters (validated names) and the
/// authenticated token (nullptr on routes without a scope).
struct Call {
  const Request& request;
  const PathParams& params;
  const config::Token* token;
  const std::string& param(std::string_view name) const;
};

using Handler = Response (*)(const Call& call, Deps& deps);

/// One row of the route table. `scope` empty means no authentication.
struct Route {
  std::string_view method;
  std::string_view pattern;  // "/v1/apps/{app}/envs/{env}"
  std::optional<config::Scope> scope;
  Handler handler;
};

struct RouteMatch {
  const Route* route = nullptr;       // nullptr: no route for this method and path
  PathParams params;
  std::vector<std::string> allowed;   // methods the path has, when the method did not match
};

/// Matches requests against a fixed route table. Segments match literally or, for
/// {name}, any non-empty segment. Thread-safety: immutable; safe to share.
class Router {
 public:
  explicit Router(std::vector<Route> routes);
  RouteMatch match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

/// Whether `path` fits `pattern`; fills `params` when it does.
bool match_pattern(std::string_view pattern, std::string_view path, PathParams& params);

}  // namespace fical::agent::api
