#include "agent/config/parse_metrics.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace fical::agent::config;

namespace {

std::string errors_of(const ParseResult& result) {
  std::string all;
  for (const auto& e : result.errors) all += e.to_string() + "\n";
  return all;
}

}  // namespace

TEST_CASE("metrics: EMF lines are off unless metrics.emf_file is set", "[config][emf]") {
  auto plain = parse_config("state_dir: /var/lib/fical\n");
  REQUIRE(plain.config);
  CHECK(plain.config->metrics.emf_file.empty());
  CHECK(plain.config->metrics.emf_namespace == "fical");

  auto on = parse_config("metrics: { emf_file: /var/log/fical/emf.log }\n");
  INFO(errors_of(on));
  REQUIRE(on.config);
  CHECK(on.config->metrics.emf_file == "/var/log/fical/emf.log");
  CHECK(on.config->metrics.emf_namespace == "fical");

  auto named = parse_config("metrics:\n  emf_file: /var/log/fical/emf.log\n  emf_namespace: acme/Deploys\n");
  INFO(errors_of(named));
  REQUIRE(named.config);
  CHECK(named.config->metrics.emf_namespace == "acme/Deploys");
}

TEST_CASE("metrics: bad keys and values are errors with their path", "[config][emf]") {
  auto result = parse_config("metrics: { emf_file: emf.log, emf_namespace: fical, emf_flush: 1s }\n");
  CHECK_FALSE(result.config);
  auto errors = errors_of(result);
  CHECK_THAT(errors, Catch::Matchers::Contains("metrics.emf_file: must be an absolute path"));
  CHECK_THAT(errors, Catch::Matchers::Contains("metrics.emf_flush: unknown key (known here: emf_file, emf_namespace)"));
  CHECK(result.errors.size() == 2);

  auto reserved = parse_config("metrics: { emf_file: /var/log/fical/emf.log, emf_namespace: AWS/EC2 }\n");
  CHECK_THAT(errors_of(reserved), Catch::Matchers::Contains("metrics.emf_namespace: \"AWS/EC2\" is not a CloudWatch namespace"));

  auto alone = parse_config("metrics: { emf_namespace: fical }\n");
  CHECK_THAT(errors_of(alone), Catch::Matchers::Contains("metrics.emf_namespace: has no effect without metrics.emf_file"));

  CHECK_THAT(errors_of(parse_config("metrics: [emf_file]\n")),
             Catch::Matchers::Contains("metrics: must be a map of keys to values"));
}

TEST_CASE("metrics: CloudWatch namespaces", "[config][emf]") {
  const std::vector<std::string> goods{"fical", "acme/deploys", "Team: web #1", "a.b-c_d", std::string(255, 'n')};
  for (const auto& good : goods) {
    INFO(good);
    CHECK(is_cloudwatch_namespace(good));
  }
  const std::vector<std::string> bads{"", "   ", "AWS/EC2", "fical!", "caf\xc3\xa9", std::string(256, 'n')};
  for (const auto& bad : bads) {
    INFO(bad);
    CHECK_FALSE(is_cloudwatch_namespace(bad));
  }
}

TEST_CASE("state: retention of deployment records", "[config][state]") {
  auto plain = parse_config("state_dir: /var/lib/fical\n");
  REQUIRE(plain.config);
  CHECK(plain.config->state.keep_deployments == 1000);
  CHECK(plain.config->state.keep_days == 0);
  auto set = parse_config("state: { keep_deployments: 50, keep_days: 90 }\n");
  REQUIRE(set.config);
  CHECK(set.config->state.keep_deployments == 50);
  CHECK(set.config->state.keep_days == 90);
  auto days_only = parse_config("state: { keep_deployments: 0, keep_days: 30 }\n");
  REQUIRE(days_only.config);
  CHECK(days_only.config->state.keep_deployments == 0);
  auto paths = [](const std::string& text) {
    std::vector<std::string> out;
    for (const auto& e : parse_config(text).errors) out.push_back(e.path);
    return out;
  };
  using Catch::Matchers::VectorContains;
  CHECK_THAT(paths("state: { keep_deployments: -1 }\n"), VectorContains(std::string("state.keep_deployments")));
  CHECK_THAT(paths("state: { keep_days: many }\n"), VectorContains(std::string("state.keep_days")));
  CHECK_THAT(paths("state: { keep_forever: true }\n"), VectorContains(std::string("state.keep_forever")));
  CHECK_THAT(paths("state: { keep_deployments: 0, keep_days: 0 }\n"), VectorContains(std::string("state")));
  CHECK_THAT(paths("state: [1]\n"), VectorContains(std::string("state")));
}

TEST_CASE("state: the audit trail's own retention", "[config][state]") {
  auto plain = parse_config("state_dir: /var/lib/fical\n");
  REQUIRE(plain.config);
  CHECK(plain.config->state.keep_audit_records == 100000);
  CHECK(plain.config->state.keep_audit_days == 365);
  auto set = parse_config("state: { keep_audit_records: 500, keep_audit_days: 0 }\n");
  REQUIRE(set.config);
  CHECK(set.config->state.keep_audit_records == 500);
  CHECK(set.config->state.keep_audit_days == 0);
  auto paths = [](const std::string& text) {
    std::vector<std::string> out;
    for (const auto& e : parse_config(text).errors) out.push_back(e.path);
    return out;
  };
  using Catch::Matchers::VectorContains;
  CHECK_THAT(paths("state: { keep_audit_records: -5 }\n"), VectorContains(std::string("state.keep_audit_records")));
  CHECK_THAT(paths("state: { keep_audit_days: soon }\n"), VectorContains(std::string("state.keep_audit_days")));
  CHECK_THAT(paths("state: { keep_audit_records: 0, keep_audit_days: 0 }\n"), VectorContains(std::string("state")));
}
