#include "agent/metrics/emf.hpp"

#include <catch2/catch.hpp>

#include "tests/support/emf_validator.hpp"

using namespace fical::agent::metrics;
using fical::testing::emf_metric_names;
using fical::testing::emf_violations;
namespace proto = fical::proto;
using namespace std::chrono_literals;
using Catch::Matchers::Equals;

namespace {

const proto::TimePoint kStart = *proto::parse_time("2026-01-01T00:00:00Z");

/// A deployment of web/staging that spent 1.5 s in the health gate and ended at +12 s.
proto::Deployment finished(proto::DeploymentState state, proto::DeploymentKind kind = proto::DeploymentKind::deploy) {
  proto::Deployment d;
  d.id = "d-42";
  d.app = "web";
  d.env = "staging";
  d.kind = kind;
  d.state = state;
  d.version = "v2";
  d.previous_version = "v1";
  d.color = "green";
  d.actor = "ssm-deploy";
  d.created_at = kStart;
  d.ended_at = kStart + 12s;
  d.phases = {{proto::Phase::pull, kStart, kStart + 3s},
              {proto::Phase::health, kStart + 3s, kStart + 4500ms},
              {proto::Phase::switch_traffic, kStart + 5s, kStart + 5s + 200ms},
              {proto::Phase::done, kStart + 12s, std::nullopt}};
  return d;
}

/// The line for `d`, parsed, after checking it is one line that conforms to the EMF spec.
nlohmann::json line_of(const proto::Deployment& d, const std::string& cloudwatch_namespace = "fical") {
  auto line = emf_line(d, cloudwatch_namespace);
  REQUIRE(line);
  CHECK(line->find('\n') == std::string::npos);
  auto record = nlohmann::json::parse(*line);
  CHECK_THAT(emf_violations(record), Equals(std::vector<std::string>{}));
  return record;
}

}  // namespace

TEST_CASE("emf: a succeeded deploy is one spec-conforming line with its metrics and properties", "[metrics][emf]") {
  auto record = line_of(finished(proto::DeploymentState::succeeded));

  CHECK(record["_aws"]["Timestamp"] == 1767225612000);  // the end: 2026-01-01T00:00:12Z in ms
  auto& directive = record["_aws"]["CloudWatchMetrics"].at(0);
  CHECK(record["_aws"]["CloudWatchMetrics"].size() == 1);
  CHECK(directive["Namespace"] == "fical");
  CHECK(directive["Dimensions"] == nlohmann::json::parse(R"([["App","Env"]])"));
  CHECK(record["App"] == "web");
  CHECK(record["Env"] == "staging");
  CHECK_THAT(emf_metric_names(record),
             Equals(std::vector<std::string>{"DeploymentDuration", "DeploymentSucceeded", "DeploymentFailed",
                                             "Rollback", "HealthGateDuration"}));
  for (const auto& metric : directive["Metrics"]) {
    auto name = metric["Name"].get<std::string>();
    CHECK(metric["Unit"] == (name.find("Duration") != std::string::npos ? "Milliseconds" : "Count"));
  }
  CHECK(record["DeploymentDuration"] == 12000);
  CHECK(record["HealthGateDuration"] == 1500);
  CHECK(record["DeploymentSucceeded"] == 1);
  CHECK(record["DeploymentFailed"] == 0);
  CHECK(record["Rollback"] == 0);

  CHECK(record["DeploymentId"] == "d-42");
  CHECK(record["Kind"] == "deploy");
  CHECK(record["Result"] == "succeeded");
  CHECK(record["Version"] == "v2");
  CHECK(record["PreviousVersion"] == "v1");
  CHECK(record["Color"] == "green");
  CHECK(record["Actor"] == "ssm-deploy");
  CHECK(record["PhaseDurations"] == nlohmann::json::parse(R"({"pull":3000,"health":1500,"switch":200})"));
  CHECK_FALSE(record.contains("Reason"));
  CHECK_FALSE(record.contains("RollbackTrigger"));
}

TEST_CASE("emf: failures, rollbacks and cancellations count as what they are", "[metrics][emf]") {
  auto failed_deploy = finished(proto::DeploymentState::failed);
  failed_deploy.error = "health gate: backend did not answer /health within 60s";
  auto failed = line_of(failed_deploy);
  CHECK(failed["DeploymentSucceeded"] == 0);
  CHECK(failed["DeploymentFailed"] == 1);
  CHECK(failed["Rollback"] == 0);
  CHECK(failed["Result"] == "failed");
  CHECK(failed["Reason"] == failed_deploy.error);

  auto automatic = line_of(finished(proto::DeploymentState::rolled_back));
  CHECK(automatic["DeploymentFailed"] == 1);
  CHECK(automatic["Rollback"] == 1);
  CHECK(automatic["RollbackTrigger"] == "automatic");

  auto manual = line_of(finished(proto::DeploymentState::succeeded, proto::DeploymentKind::rollback));
  CHECK(manual["DeploymentSucceeded"] == 1);
  CHECK(manual["Rollback"] == 1);
  CHECK(manual["Kind"] == "rollback");
  CHECK(manual["RollbackTrigger"] == "manual");

  auto interrupted = line_of(finished(proto::DeploymentState::interrupted));
  CHECK(interrupted["DeploymentFailed"] == 1);

  auto cancelled = line_of(finished(proto::DeploymentState::cancelled));
  CHECK(cancelled["DeploymentSucceeded"] == 0);
  CHECK(cancelled["DeploymentFailed"] == 0);
  CHECK(cancelled["Result"] == "cancelled");
}

TEST_CASE("emf: nothing for deployments still running and for dry runs", "[metrics][emf]") {
  auto running = finished(proto::DeploymentState::running);
  running.ended_at.reset();
  CHECK_FALSE(emf_line(running));
  CHECK_FALSE(emf_record(finished(proto::DeploymentState::pending)));
  auto dry = finished(proto::DeploymentState::succeeded);
  dry.dry_run = true;
  CHECK_FALSE(emf_line(dry));
}

TEST_CASE("emf: the namespace is configurable, and no health gate means no HealthGateDuration", "[metrics][emf]") {
  auto d = finished(proto::DeploymentState::failed);
  d.phases = {{proto::Phase::pull, kStart, kStart + 2s}};  // failed in the pull
  auto record = line_of(d, "acme/deploys");
  CHECK(record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "acme/deploys");
  CHECK_THAT(emf_metric_names(record), Equals(std::vector<std::string>{"DeploymentDuration", "DeploymentSucceeded",
                                                                       "DeploymentFailed", "Rollback"}));
  CHECK_FALSE(record.contains("HealthGateDuration"));
  CHECK(record["PhaseDurations"] == nlohmann::json::parse(R"({"pull":2000})"));
}

TEST_CASE("emf: a long or broken reason still gives a valid, bounded line", "[metrics][emf]") {
  auto d = finished(proto::DeploymentState::failed);
  d.error = "migration failed: " + std::string(5000, 'x') + "\xff\xfe";
  auto record = line_of(d);
  CHECK(record["Reason"].get<std::string>().size() == 512);
  CHECK(emf_line(d)->size() < 2000);
}

TEST_CASE("emf: the checker catches what the spec forbids", "[metrics][emf]") {
  auto good = *emf_record(finished(proto::DeploymentState::succeeded));
  REQUIRE(emf_violations(good).empty());
  auto no_metric = good;
  no_metric.erase("DeploymentDuration");
  CHECK_FALSE(emf_violations(no_metric).empty());
  auto no_dimension = good;
  no_dimension["Env"] = 3;
  CHECK_FALSE(emf_violations(no_dimension).empty());
  auto seconds = good;
  seconds["_aws"]["Timestamp"] = "2026-01-01T00:00:12Z";
  CHECK_FALSE(emf_violations(seconds).empty());
  auto bad_unit = good;
  bad_unit["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = "ms";
  CHECK_FALSE(emf_violations(bad_unit).empty());
}
