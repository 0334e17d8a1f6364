// libFuzzer target: raw bytes through the server's request path (Beast parser with the
// server's limits, our framing checks, target and query decoding), then the pure API
// handler (routing, auth, validation) and the strict JSON request decoders.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/api/config_only_deployment_service.hpp"
#include "agent/api/handlers.hpp"
#include "agent/api/token_hash.hpp"
#include "agent/http/request_reading.hpp"
#include "proto/requests.hpp"

namespace {

using namespace fical::agent;

/// The handlers over the config-only service, with one token ("fuzz") of every scope.
struct Harness {
  Harness() {
    config::App app;
    app.name = "web";
    config::Environment env;
    env.name = "staging";
    app.environments.push_back(env);
    config.apps.push_back(app);
  }
  config::Config config;
  api::ConfigOnlyDeploymentService service{config, [] { return false; }};
  api::Authenticator authenticator{{{"fuzz", api::sha256_hex("fuzz"), {config::Scope::admin}, {}}}};
  api::FailureLimiter limiter{1'000'000, std::chrono::seconds(1)};
  api::MetricsRegistry metrics;
  api::NoAuditSink audit;
  api::Deps deps{service, authenticator, limiter, metrics, audit};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto request = http::parse_request_bytes(bytes, {4096, 16384})) {
    request->peer_address = "fuzz";
    auto response = api::handle(*request, harness.deps);
    (void)http::to_beast_response(response, "id", 11, true);
  }
  (void)fical::proto::decode_deploy_request(bytes);
  (void)fical::proto::decode_rollback_request(bytes);
  return 0;
}
