#include "agent/api/handlers.hpp"

#include <catch2/catch.hpp>

#include "agent/api/token_hash.hpp"
#include "tests/unit/agent/api/fake_deployment_service.hpp"
#include "tests/unit/agent/api/test_request.hpp"

using namespace fical::agent;
using namespace fical::agent::api;
using config::Scope;

namespace {

config::Token token(std::string id, const std::string& secret, std::vector<Scope> scopes,
                    std::vector<std::string> apps = {}) {
  return {std::move(id), sha256_hex(secret), std::move(scopes), std::move(apps)};
}

/// The handlers with a fake service, three tokens, and a clock the test moves.
struct Fixture {
  testing::FakeDeploymentService service;
  Authenticator authenticator{{token("reader", "read-secret", {Scope::read}),
                               token("deployer", "deploy-secret", {Scope::read, Scope::deploy}),
                               token("web-only", "web-secret", {Scope::admin}, {"web"}),
                               token("promoter", "promote-secret", {Scope::promote})}};
  FailureLimiter limiter{3, std::chrono::seconds(60)};
  MetricsRegistry metrics;
  std::vector<AuditRecord> audited;
  struct Recorder : AuditSink {
    std::vector<AuditRecord>* out;
    void record(const AuditRecord& r) override { out->push_back(r); }
  } recorder;
  FailureLimiter::TimePoint now{};
  Deps deps{service, authenticator, limiter, metrics, recorder, [this] { return now; }};

  Fixture() { recorder.out = &audited; }

  Response call(std::string method, std::string path, std::string secret = "",
                std::string body = "", Fields query = {}) {
    return handle(testing::test_request(std::move(method), std::move(path), secret, std::move(body),
                                        std::move(query), "r1"),
                  deps);
  }
};

std::string header(const Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

std::string code(const Response& response) {
  return nlohmann::json::parse(response.body)["error"]["code"];
}

}  // namespace

TEST_CASE("routes without a token answer 401 with WWW-Authenticate", "[api]") {
  Fixture f;
  auto missing = f.call("GET", "/v1/apps");
  CHECK(missing.status == 401);
  CHECK(code(missing) == "unauthorized");
  CHECK(header(missing, "WWW-Authenticate") == "Bearer realm=\"fical\"");
  auto wrong = f.call("GET", "/v1/apps", "not-a-token");
  CHECK(wrong.status == 401);
  CHECK(f.audited.size() == 2);
  CHECK(f.audited[0].outcome == "auth_failed");
  CHECK(f.metrics.value("fical_api_auth_failures_total", {{"reason", "unauthorized"}}) == 2);
}

TEST_CASE("a read token may read but not deploy", "[api]") {
  Fixture f;
  CHECK(f.call("GET", "/v1/apps/web/envs/staging", "read-secret").status == 200);
  auto deploy = f.call("POST", "/v1/apps/web/envs/staging/deployments", "read-secret",
                       R"({"version":"v2"})");
  CHECK(deploy.status == 403);
  CHECK(nlohmann::json::parse(deploy.body)["error"]["message"] ==
        "this token lacks the \"deploy\" scope");
  CHECK_FALSE(f.service.last_deploy);
}

TEST_CASE("a deploy passes the body, actor and Idempotency-Key to the service", "[api]") {
  Fixture f;
  Request request;
  request.method = "POST";
  request.path = "/v1/apps/web/envs/staging/deployments";
  request.headers = {{"authorization", "Bearer deploy-secret"}, {"idempotency-key", "k-42"}};
  request.body = R"({"version":"v2","dry_run":true})";
  request.peer = "unix";
  auto response = handle(request, f.deps);
  CHECK(response.status == 202);
  CHECK(header(response, "Location") == "/v1/deployments/d-2");
  CHECK(response.token_id == "deployer");
  CHECK(response.route == "/v1/apps/{app}/envs/{env}/deployments");
  REQUIRE(f.service.last_deploy);
  CHECK(f.service.last_deploy->request.version == "v2");
  CHECK(f.service.last_deploy->request.dry_run);
  CHECK(f.service.last_deploy->actor.token_id == "deployer");
  CHECK(f.service.last_deploy->idempotency_key == "k-42");
  REQUIRE(f.audited.size() == 1);
  CHECK(f.audited[0].outcome == "accepted");

  request.headers[1].second = std::string(129, 'k');
  CHECK(handle(request, f.deps).status == 400);
}

TEST_CASE("a promote token may promote but not deploy, roll back or read, and deploy may promote", "[api][promote]") {
  Fixture f;
  auto promote = f.call("POST", "/v1/apps/web/envs/production/promotions", "promote-secret", R"({"from":"staging"})");
  CHECK(promote.status == 202);
  CHECK(header(promote, "Location") == "/v1/deployments/d-4");
  REQUIRE(f.service.last_promote);
  CHECK(f.service.last_promote->env == "production");
  CHECK(f.service.last_promote->request.from == "staging");
  CHECK(f.service.last_promote->actor.token_id == "promoter");
  REQUIRE(f.audited.size() == 1);
  CHECK(f.audited[0].outcome == "accepted");
  CHECK(f.audited[0].deployment_id == "d-4");
  CHECK(f.audited[0].route == "/v1/apps/{app}/envs/{env}/promotions");

  // Not any version of its choosing, nor a rollback, nor reading.
  CHECK(f.call("POST", "/v1/apps/web/envs/production/deployments", "promote-secret", R"({"version":"v9"})").status == 403);
  CHECK_FALSE(f.service.last_deploy);
  CHECK(f.call("POST", "/v1/apps/web/envs/production/rollback", "promote-secret").status == 403);
  CHECK_FALSE(f.service.last_rollback);
  CHECK(f.call("GET", "/v1/apps/web/envs/production", "promote-secret").status == 403);
  CHECK(f.audited.back().outcome == "forbidden");

  f.service.last_promote.reset();
  CHECK(f.call("POST", "/v1/apps/web/envs/production/promotions", "deploy-secret", R"({"from":"staging"})").status == 202);
  CHECK(f.service.last_promote);
  auto read = f.call("POST", "/v1/apps/web/envs/production/promotions", "read-secret", R"({"from":"staging"})");
  CHECK(read.status == 403);

  auto bad = f.call("POST", "/v1/apps/web/envs/production/promotions", "promote-secret", R"({"version":"v1"})");
  CHECK(bad.status == 400);
  CHECK(code(bad) == "bad_request");
  CHECK(f.call("POST", "/v1/apps/web/envs/production/promotions", "promote-secret", R"({"from":"Bad Name"})").status == 400);
}

TEST_CASE("a deploy with a bad body names the field, a conflict carries the running id",
          "[api]") {
  Fixture f;
  auto bad = f.call("POST", "/v1/apps/web/envs/staging/deployments", "deploy-secret", "{}");
  CHECK(bad.status == 400);
  CHECK(nlohmann::json::parse(bad.body)["error"]["message"] == "version: is required");
  f.service.running = true;
  auto conflict = f.call("POST", "/v1/apps/web/envs/staging/deployments", "deploy-secret",
                         R"({"version":"v2"})");
  CHECK(conflict.status == 409);
  CHECK(nlohmann::json::parse(conflict.body)["error"]["deployment_id"] == "d-1");
}

TEST_CASE("an environment's deployments are listed newest first, with a bounded limit", "[api]") {
  Fixture f;
  auto response = f.call("GET", "/v1/apps/web/envs/staging/deployments", "read-secret");
  REQUIRE(response.status == 200);
  auto list = nlohmann::json::parse(response.body)["deployments"];
  REQUIRE(list.size() == 2);
  CHECK(list[0]["id"] == "d-2");
  CHECK_FALSE(list[0].contains("events"));
  CHECK(f.service.last_limit == 20);
  CHECK(f.call("GET", "/v1/apps/web/envs/staging/deployments", "read-secret", "", {{"limit", "5"}}).status == 200);
  CHECK(f.service.last_limit == 5);
  for (const auto* bad : {"0", "101", "x", "-1"}) {
    auto refused = f.call("GET", "/v1/apps/web/envs/staging/deployments", "read-secret", "", {{"limit", bad}});
    CHECK(refused.status == 400);
    CHECK_THAT(refused.body, Catch::Contains("limit: must be an integer from 1 to 100"));
  }
  CHECK(f.call("GET", "/v1/apps/web/envs/staging/deployments", "read-secret", "", {{"page", "2"}}).status == 400);
  CHECK(f.call("GET", "/v1/apps/web/envs/nope/deployments", "read-secret").status == 404);
}

TEST_CASE("a rollback accepts an empty body", "[api]") {
  Fixture f;
  auto response = f.call("POST", "/v1/apps/web/envs/staging/rollback", "deploy-secret");
  CHECK(response.status == 202);
  REQUIRE(f.service.last_rollback);
  CHECK(f.service.last_rollback->request.release.empty());
}

TEST_CASE("a token limited to apps sees and touches only those", "[api]") {
  Fixture f;
  auto apps = nlohmann::json::parse(f.call("GET", "/v1/apps", "web-secret").body)["apps"];
  REQUIRE(apps.size() == 1);
  CHECK(apps[0]["name"] == "web");
  CHECK(nlohmann::json::parse(f.call("GET", "/v1/apps", "read-secret").body)["apps"].size() == 2);
  CHECK(f.call("GET", "/v1/apps/blog/envs/prod", "web-secret").status == 403);
  CHECK(f.call("POST", "/v1/apps/blog/envs/prod/deployments", "web-secret",
               R"({"version":"v1"})").status == 403);
  CHECK(f.call("POST", "/v1/apps/web/envs/staging/deployments", "web-secret",
               R"({"version":"v1"})").status == 202);  // admin implies deploy
  CHECK(f.call("GET", "/v1/deployments/d-1", "web-secret").status == 200);
}

TEST_CASE("path parameters are validated and name the field", "[api]") {
  Fixture f;
  auto bad = f.call("GET", "/v1/apps/Web/envs/staging", "read-secret");
  CHECK(bad.status == 400);
  CHECK(nlohmann::json::parse(bad.body)["error"]["message"].get<std::string>().rfind("app", 0) == 0);
  auto bad_id = f.call("GET", "/v1/deployments/..%2f", "read-secret");
  CHECK(bad_id.status == 400);
  CHECK(f.call("GET", "/v1/apps/nope/envs/staging", "read-secret").status == 404);
}

TEST_CASE("unknown routes are 404 and wrong methods 405 with Allow", "[api]") {
  Fixture f;
  CHECK(f.call("GET", "/v2/apps", "read-secret").status == 404);
  CHECK(f.call("GET", "/v1/apps/", "read-secret").status == 404);
  auto wrong = f.call("DELETE", "/v1/apps/web/envs/staging");
  CHECK(wrong.status == 405);
  CHECK(header(wrong, "Allow") == "GET");
  CHECK(header(f.call("GET", "/v1/deployments/d-1/cancel"), "Allow") == "POST");
}

TEST_CASE("healthz needs no token and reports Docker", "[api]") {
  Fixture f;
  auto up = f.call("GET", "/healthz");
  CHECK(up.status == 200);
  CHECK(nlohmann::json::parse(up.body) == nlohmann::json{{"status", "ok"}, {"docker", true}, {"reconciled", true}});
  f.service.docker_up = false;
  auto down = f.call("GET", "/healthz");
  CHECK(down.status == 503);
  auto body = nlohmann::json::parse(down.body);
  CHECK(body["status"] == "unavailable");
  CHECK(body["docker"] == false);
  CHECK(body["error"]["code"] == "unavailable");
}

TEST_CASE("healthz tells a pending reconcile apart from Docker being down", "[api]") {
  Fixture f;
  f.service.reconciled = false;
  auto starting = f.call("GET", "/healthz");
  CHECK(starting.status == 503);  // no deployments accepted yet
  auto body = nlohmann::json::parse(starting.body);
  CHECK(body["status"] == "starting");
  CHECK(body["docker"] == true);
  CHECK(body["reconciled"] == false);
  f.service.docker_up = false;
  body = nlohmann::json::parse(f.call("GET", "/healthz").body);
  CHECK(body["status"] == "unavailable");
  CHECK(body["docker"] == false);
  CHECK(body["reconciled"] == false);
}

TEST_CASE("events and logs answer streams, or errors before streaming", "[api]") {
  Fixture f;
  auto events = f.call("GET", "/v1/deployments/d-1/events", "read-secret");
  REQUIRE(std::holds_alternative<EventStream>(events.stream));
  CHECK(std::get<EventStream>(events.stream).deployment_id == "d-1");
  CHECK(events.content_type == "application/x-ndjson");
  CHECK(f.call("GET", "/v1/deployments/d-9/events", "read-secret").status == 404);

  auto logs = f.call("GET", "/v1/apps/web/envs/staging/logs", "read-secret", "",
                     {{"service", "app"}, {"tail", "50"}, {"follow", "true"}, {"since", "10m"}});
  REQUIRE(std::holds_alternative<LogStream>(logs.stream));
  const auto& query = std::get<LogStream>(logs.stream).query;
  CHECK(query.service == "app");
  CHECK(query.tail == 50);
  CHECK(query.follow);
  REQUIRE(query.since);
  auto ago = fical::proto::now_ms() - *query.since;
  CHECK(ago >= std::chrono::minutes(10));
  CHECK(ago < std::chrono::minutes(11));
  for (Fields bad : std::vector<Fields>{{{"tail", "10001"}}, {{"tail", "-1"}}, {{"tail", "x"}},
                                        {{"follow", "maybe"}}, {{"since", "yesterday"}},
                                        {{"service", "A"}}, {{"colour", "red"}}}) {
    CHECK(f.call("GET", "/v1/apps/web/envs/staging/logs", "read-secret", "", bad).status == 400);
  }
}

TEST_CASE("repeated auth failures from a peer get 429 until the window passes", "[api]") {
  Fixture f;
  for (int i = 0; i < 3; ++i) CHECK(f.call("GET", "/v1/apps", "wrong").status == 401);
  auto limited = f.call("GET", "/v1/apps", "read-secret");  // even a good token waits
  CHECK(limited.status == 429);
  CHECK(header(limited, "Retry-After") == "60");
  f.now += std::chrono::seconds(61);
  CHECK(f.call("GET", "/v1/apps", "read-secret").status == 200);
  CHECK(f.call("GET", "/healthz").status == 200);  // no auth, no limit
}

TEST_CASE("metrics need the read scope and count requests", "[api]") {
  Fixture f;
  describe_api_metrics(f.metrics);
  auto response = f.call("GET", "/v1/apps", "read-secret");
  count_request(f.metrics, "GET", response);
  auto metrics = f.call("GET", "/metrics", "read-secret");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find(R"(fical_api_requests_total{route="/v1/apps",method="GET",status="200"} 1)") !=
        std::string::npos);
  CHECK(f.call("GET", "/metrics").status == 401);
}

TEST_CASE("a handler that throws answers 500 naming the request id, nothing of the error", "[api]") {
  Fixture f;
  f.service.throw_on_status = true;
  auto response = f.call("GET", "/v1/apps/web/envs/staging", "read-secret");
  CHECK(response.status == 500);
  CHECK(code(response) == "internal");
  auto message = nlohmann::json::parse(response.body)["error"]["message"].get<std::string>();
  CHECK(message.find("r1") != std::string::npos);
  CHECK(message.find("unreadable") == std::string::npos);
}

TEST_CASE("env status reuses its body only while the service's cache key is unchanged", "[api][status]") {
  Fixture f;
  auto version = [&](const std::string& path = "/v1/apps/web/envs/staging") {
    auto response = f.call("GET", path, "read-secret");
    REQUIRE(response.status == 200);
    auto body = nlohmann::json::parse(response.body);
    CHECK(body.count("cache_key") == 0);  // internal, never in the answer
    return body["live"].is_null() ? std::string() : body["live"]["version"].get<std::string>();
  };
  f.service.status_version = "v1";
  f.service.status_cache_key = "k1";
  CHECK(version() == "v1");
  f.service.status_version = "v2";  // the same key: what it was made from did not change
  CHECK(version() == "v1");
  CHECK(version("/v1/apps/web/envs/production").empty() == false);  // another env: its own body
  f.service.status_cache_key = "k2";
  CHECK(version() == "v2");
  f.service.status_cache_key.clear();  // no key (a deployment runs): made each time
  f.service.status_version = "v3";
  CHECK(version() == "v3");
  f.service.status_version = "v4";
  CHECK(version() == "v4");
}

TEST_CASE("maintenance on and off: scope deploy, validated at the edge, audited", "[api][maintenance]") {
  Fixture f;
  const std::string path = "/v1/apps/web/envs/staging/maintenance";
  CHECK(f.call("PUT", path, "read-secret", R"({"message":"soon"})").status == 403);
  CHECK_FALSE(f.service.last_maintenance);

  auto on = f.call("PUT", path, "deploy-secret", R"({"message":"Back at 14:00","retry_after":1800})");
  REQUIRE(on.status == 200);
  auto body = nlohmann::json::parse(on.body);
  CHECK(body["maintenance"]["message"] == "Back at 14:00");
  CHECK(body["maintenance"]["retry_after"] == 1800);
  CHECK(body["maintenance"]["by"] == "deployer");
  REQUIRE(f.service.last_maintenance);
  CHECK(f.service.last_maintenance->actor.token_id == "deployer");
  CHECK(f.call("PUT", path, "deploy-secret", "").status == 200);  // the defaults
  CHECK(f.service.last_maintenance->request.retry_after_seconds == 600);

  for (const char* bad : {R"({"message":1})", R"({"retry_after":0})", R"({"retry_after":604801})",
                          R"({"retry_after":"10m"})", R"({"message":"a\nb"})", R"({"other":true})"}) {
    CAPTURE(bad);
    auto refused = f.call("PUT", path, "deploy-secret", bad);
    CHECK(refused.status == 400);
  }
  CHECK(f.call("PUT", path, "deploy-secret", nlohmann::json{{"message", std::string(501, 'x')}}.dump()).status ==
        400);
  CHECK(f.call("PUT", path, "deploy-secret", nlohmann::json{{"message", std::string(500, 'x')}}.dump()).status ==
        200);

  auto off = f.call("DELETE", path, "deploy-secret");
  REQUIRE(off.status == 200);
  CHECK(nlohmann::json::parse(off.body)["was_on"] == true);
  CHECK(nlohmann::json::parse(f.call("DELETE", path, "deploy-secret").body)["was_on"] == false);
  CHECK(f.call("DELETE", "/v1/apps/web/envs/nope/maintenance", "deploy-secret").status == 404);

  // Every PUT and DELETE is in the audit trail, with its method and route.
  std::size_t puts = 0, deletes = 0;
  for (const auto& r : f.audited) {
    if (r.route != "/v1/apps/{app}/envs/{env}/maintenance") continue;
    puts += r.method == "PUT";
    deletes += r.method == "DELETE";
  }
  CHECK(puts == 11);
  CHECK(deletes == 3);
}

TEST_CASE("canary status reads, promote and abort need the deploy scope", "[api][canary]") {
  Fixture f;
  CHECK(f.call("GET", "/v1/apps/web/envs/staging/canary", "read-secret").status == 404);  // none runs
  f.service.canary_running = true;
  auto status = f.call("GET", "/v1/apps/web/envs/staging/canary", "read-secret");
  CHECK(status.status == 200);
  CHECK(nlohmann::json::parse(status.body)["weight"] == 10);
  CHECK(f.call("POST", "/v1/apps/web/envs/staging/canary/abort", "read-secret").status == 403);
  CHECK_FALSE(f.service.last_canary_action);
  CHECK(f.call("POST", "/v1/apps/web/envs/staging/canary/promote", "deploy-secret").status == 202);
  CHECK(f.service.last_canary_action == CanaryAction::promote);
  CHECK(f.call("POST", "/v1/apps/web/envs/staging/canary/abort", "deploy-secret").status == 202);
  CHECK(f.service.last_canary_action == CanaryAction::abort);
  CHECK(f.audited.back().outcome == "accepted");
}

TEST_CASE("a deploy passes canary and canary_steps, canary_steps alone is refused", "[api][canary]") {
  Fixture f;
  auto ok = f.call("POST", "/v1/apps/web/envs/staging/deployments", "deploy-secret",
                   R"({"version":"v2","canary":true,"canary_steps":"10:5m,50:5m"})");
  CHECK(ok.status == 202);
  REQUIRE(f.service.last_deploy);
  CHECK(f.service.last_deploy->request.canary);
  CHECK(f.service.last_deploy->request.canary_steps == "10:5m,50:5m");
  auto alone = f.call("POST", "/v1/apps/web/envs/staging/deployments", "deploy-secret",
                      R"({"version":"v2","canary_steps":"10:5m"})");
  CHECK(alone.status == 400);
  CHECK(nlohmann::json::parse(alone.body)["error"]["message"] == "canary_steps: needs canary: true");
}
