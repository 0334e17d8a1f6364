#include "agent/api/audit_store_sink.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "agent/api/handlers.hpp"
#include "agent/api/token_hash.hpp"
#include "tests/support/test_env.hpp"
#include "tests/unit/agent/api/fake_deployment_service.hpp"
#include "tests/unit/agent/api/test_request.hpp"

using namespace fical::agent;
using namespace fical::agent::api;
using config::Scope;

namespace {

config::Token token(std::string id, const std::string& secret, std::vector<Scope> scopes) {
  return {std::move(id), sha256_hex(secret), std::move(scopes), {}};
}

/// handle() with a fake service and the real audit trail (fical.db) in a temp dir.
struct Fixture {
  fical::testing::TempDir tmp;
  testing::FakeDeploymentService service;
  Authenticator authenticator{{token("reader", "read-secret-1234", {Scope::read}),
                               token("deployer", "deploy-secret-1234", {Scope::read, Scope::deploy}),
                               token("auditor", "admin-secret-1234", {Scope::admin})}};
  FailureLimiter limiter{100, std::chrono::seconds(60)};
  MetricsRegistry metrics;
  store::StateStore store{tmp.path()};
  std::vector<std::string> errors;
  AuditStoreSink sink{store, [this](const std::string& e) { errors.push_back(e); }};
  Deps deps{service, authenticator, limiter, metrics, sink};

  Response call(std::string method, std::string path, std::string secret, std::string body = "",
                Fields query = {}) {
    return handle(testing::test_request(std::move(method), std::move(path), secret, std::move(body),
                                        std::move(query), "req-7"),
                  deps);
  }

  /// The bytes of the database and its WAL, as a reader of the disk would find them.
  std::string files() {
    store.flush(std::chrono::seconds(5));
    std::string all;
    for (const char* name : {"fical.db", "fical.db-wal"}) {
      std::ifstream in(tmp.path() / name, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      all += text.str();
    }
    return all;
  }
};

}  // namespace

TEST_CASE("audit line: the record's fields, time in RFC 3339, empty ones left out", "[api][audit]") {
  AuditRecord record;
  record.request_id = "r1";
  record.peer = "127.0.0.1:1";
  record.method = "POST";
  record.route = "/v1/apps/{app}/envs/{env}/deployments";
  record.path = "/v1/apps/web/envs/staging/deployments";
  record.status = 202;
  record.outcome = "accepted";
  record.token_id = "ci";
  auto line = audit_line(record, *fical::proto::parse_time("2026-01-02T03:04:05.006Z"));
  CHECK(line["time"] == "2026-01-02T03:04:05.006Z");
  CHECK(line["action"] == "POST /v1/apps/{app}/envs/{env}/deployments");
  CHECK(line["target"] == "/v1/apps/web/envs/staging/deployments");
  CHECK(line["result"] == "accepted");
  CHECK(line["status"] == 202);
  CHECK(line["token_id"] == "ci");
  CHECK_FALSE(line.contains("deployment_id"));

  record.path = std::string(5000, 'a');
  CHECK(audit_line(record, fical::proto::now_ms())["target"].get<std::string>().size() == 256);
}

TEST_CASE("audit line of a finished deployment", "[api][audit]") {
  fical::proto::Deployment d;
  d.id = "d-9";
  d.app = "web";
  d.env = "prod";
  d.version = "v3";
  d.kind = fical::proto::DeploymentKind::rollback;
  d.state = fical::proto::DeploymentState::succeeded;
  d.actor = "ci";
  auto line = audit_line(finished_deployment_record(d), fical::proto::now_ms());
  CHECK(line["action"] == "rollback.finished");
  CHECK(line["target"] == "web/prod@v3");
  CHECK(line["result"] == "succeeded");
  CHECK(line["deployment_id"] == "d-9");
  CHECK(line["token_id"] == "ci");
}

TEST_CASE("audit log through handle(): 401, 403 and an accepted deploy, never a token", "[api][audit]") {
  Fixture f;
  CHECK(f.call("GET", "/v1/apps", "wrong-secret-value").status == 401);
  CHECK(f.call("POST", "/v1/apps/web/envs/staging/deployments", "read-secret-1234", R"({"version":"v2"})").status == 403);
  CHECK(f.call("POST", "/v1/apps/web/envs/staging/deployments", "deploy-secret-1234", R"({"version":"v2"})").status == 202);
  CHECK(f.call("GET", "/v1/apps", "read-secret-1234").status == 200);  // reads are not audited

  auto lines = f.store.recent_audit(10);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["result"] == "auth_failed");
  CHECK(lines[0]["status"] == 401);
  CHECK_FALSE(lines[0].contains("token_id"));
  CHECK(lines[0]["peer"] == "127.0.0.1:5000");
  CHECK(lines[1]["result"] == "forbidden");
  CHECK(lines[1]["token_id"] == "reader");
  CHECK(lines[2]["result"] == "accepted");
  CHECK(lines[2]["token_id"] == "deployer");
  CHECK(lines[2]["deployment_id"] == "d-2");
  CHECK(lines[2]["request_id"] == "req-7");
  auto text = f.files();
  CHECK(text.find("req-7") != std::string::npos);  // the records are in these bytes
  for (const char* secret : {"wrong-secret-value", "read-secret-1234", "deploy-secret-1234", "v2\""}) {
    CHECK(text.find(secret) == std::string::npos);
  }
  CHECK(f.errors.empty());
}

TEST_CASE("GET /v1/audit: admin scope only, limit validated, latest records", "[api][audit]") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.call("GET", "/v1/apps", "bad-token-" + std::to_string(i));
  CHECK(f.call("GET", "/v1/audit", "deploy-secret-1234").status == 403);
  auto all = f.call("GET", "/v1/audit", "admin-secret-1234");
  REQUIRE(all.status == 200);
  auto records = nlohmann::json::parse(all.body)["records"];
  CHECK(records.size() == 6);  // 5 failures and the 403 above
  CHECK(records.back()["result"] == "forbidden");

  auto two = f.call("GET", "/v1/audit", "admin-secret-1234", "", {{"limit", "2"}});
  REQUIRE(two.status == 200);
  CHECK(nlohmann::json::parse(two.body)["records"].size() == 2);
  for (const char* bad : {"0", "1001", "x", "5x", "-1"}) {
    CHECK(f.call("GET", "/v1/audit", "admin-secret-1234", "", {{"limit", bad}}).status == 400);
  }
  CHECK(f.call("GET", "/v1/audit", "admin-secret-1234", "", {{"since", "1"}}).status == 400);
}

TEST_CASE("GET /v1/audit without an audit log is 404", "[api][audit]") {
  Fixture f;
  NoAuditSink none;
  Deps deps{f.service, f.authenticator, f.limiter, f.metrics, none};
  Request request;
  request.method = "GET";
  request.path = "/v1/audit";
  request.headers.emplace_back("authorization", "Bearer admin-secret-1234");
  request.peer_address = "127.0.0.1";
  CHECK(handle(request, deps).status == 404);
}

TEST_CASE("audit records are committed rows of fical.db and outlive the agent", "[api][audit][sqlite]") {
  fical::testing::TempDir tmp;
  {
    Fixture f;
    store::StateStore store(tmp.path());
    AuditStoreSink sink(store, [&](const std::string& e) { f.errors.push_back(e); });
    Deps deps{f.service, f.authenticator, f.limiter, f.metrics, sink};
    for (int i = 0; i < 30; ++i) {
      Request request;
      request.method = "GET";
      request.path = "/v1/apps";
      request.peer_address = "127.0.0.1";
      request.request_id = "r" + std::to_string(i);
      CHECK(handle(request, deps).status == 401);
    }
    CHECK(f.errors.empty());
  }  // the store commits what is queued before it closes
  store::StateStore again(tmp.path());
  auto records = again.recent_audit(1000);
  REQUIRE(records.size() == 30);
  CHECK(records.front()["request_id"] == "r0");  // oldest first
  CHECK(records.back()["request_id"] == "r29");
  CHECK(again.recent_audit(5).front()["request_id"] == "r25");
  CHECK(again.check().empty());
  CHECK(again.dump()["audit"].size() == 30);
}
