// libFuzzer target: raw bytes through the server's request path (Beast parser with the
// server's limits, our framing checks, target and query decoding), then the pure API
// handler (routing, auth, validation) and the strict JSON request decoders.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/api/handlers.hpp"
#include "agent/api/token_hash.hpp"
#include "agent/http/request_reading.hpp"
#include "proto/requests.hpp"

namespace {

using namespace fical::agent;
namespace proto = fical::proto;

/// A service that knows nothing: the target fuzzes parsing, routing, auth and decoding.
struct EmptyService : DeploymentService {
  static proto::ApiError none() { return {proto::ErrorCode::not_found, "none", {}}; }
  std::vector<proto::AppSummary> apps() override { return {}; }
  Result<proto::EnvStatus> env_status(const std::string&, const std::string&) override { return none(); }
  Result<std::vector<proto::Release>> releases(const std::string&, const std::string&) override { return none(); }
  Result<std::vector<proto::Deployment>> deployments(const std::string&, const std::string&, std::size_t) override {
    return none();
  }
  Result<proto::Deployment> deploy(const DeployCommand&) override { return none(); }
  Result<proto::Deployment> rollback(const RollbackCommand&) override { return none(); }
  Result<proto::Deployment> promote(const PromoteCommand&) override { return none(); }
  Result<proto::Deployment> deployment(const std::string&) override { return none(); }
  Result<proto::Deployment> cancel(const std::string&, const Actor&) override { return none(); }
  Result<EventsPage> events(const std::string&, std::uint64_t) override { return none(); }
  Result<bool> logs(const LogsQuery&, const std::function<bool(std::string_view)>&) override { return none(); }
  Health health() override { return {}; }
  Result<nlohmann::json> canary_status(const std::string&, const std::string&) override { return none(); }
  Result<nlohmann::json> canary_command(const std::string&, const std::string&, CanaryAction, const Actor&) override {
    return none();
  }
};

/// The handlers over an empty service, with one token ("fuzz") of every scope.
struct Harness {
  EmptyService service;
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
  (void)fical::proto::decode_promote_request(bytes);
  return 0;
}
