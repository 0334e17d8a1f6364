#include "agent/config/parse_env_sources.hpp"

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

// A valid config whose staging environment gets `sources` (YAML lines, indented 8).
ParseResult parse_env(const std::string& sources, const std::string& top = "", const std::string& api = "") {
  return parse_config(top + R"(
nginx: { upstream_dir: /tmp/u }
apps:
  web:
    environments:
      staging:
)" + sources + R"(
        services:
          api: { image: r/web, ports: { blue: 9001, green: 9002 }, health: { http: / )" + api + R"( } }
)");
}

}  // namespace

TEST_CASE("env sources: aws_secret and ssm_parameters of an environment", "[config][secrets]") {
  auto plain = parse_env("");
  REQUIRE(plain.config);
  const auto& none = plain.config->apps.at(0).environments.at(0);
  CHECK_FALSE(none.has_env_sources());
  CHECK(plain.config->aws.cli == "/usr/bin/aws");
  CHECK(plain.config->aws.timeout == std::chrono::seconds(20));

  auto both = parse_env(R"(        aws_secret: { id: filter-ical/staging/env, region: eu-north-1 }
        ssm_parameters:
          path: /filter-ical/staging/
          region: eu-west-1
          endpoint_url: http://127.0.0.1:4566
)",
                        "aws: { cli: /opt/aws/bin/aws, timeout: 5s }\n");
  INFO(errors_of(both));
  REQUIRE(both.config);
  const auto& env = both.config->apps.at(0).environments.at(0);
  CHECK(env.has_env_sources());
  REQUIRE(env.sources.aws_secret);
  CHECK(env.sources.aws_secret->id == "filter-ical/staging/env");
  CHECK(env.sources.aws_secret->region == "eu-north-1");
  CHECK(env.sources.aws_secret->endpoint_url.empty());
  REQUIRE(env.sources.ssm_parameters);
  CHECK(env.sources.ssm_parameters->path == "/filter-ical/staging/");
  CHECK(env.sources.ssm_parameters->region == "eu-west-1");
  CHECK(env.sources.ssm_parameters->endpoint_url == "http://127.0.0.1:4566");
  CHECK(both.config->aws.cli == "/opt/aws/bin/aws");
  CHECK(both.config->aws.timeout == std::chrono::seconds(5));

  auto arn = parse_env(
      "        aws_secret: { id: 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:web/env-AbCdEf', "
      "region: eu-north-1 }\n");
  INFO(errors_of(arn));
  CHECK(arn.config);
}

TEST_CASE("env sources: missing, unknown and hostile values are errors with their path", "[config][secrets]") {
  auto result = parse_env(R"(        aws_secret: { id: '--debug', endpoint_url: 'http://x y', version: 1 }
        ssm_parameters: { path: 'no/slash', region: 'eu-north-1; reboot' }
)",
                          "aws: { cli: aws, timeout: 10m }\n");
  CHECK_FALSE(result.config);
  auto all = errors_of(result);
  INFO(all);
  const std::string at = "apps.web.environments.staging.";
  for (const auto* path : {"aws_secret.id: ", "aws_secret.region: is required", "aws_secret.endpoint_url: ",
                           "aws_secret.version: unknown key", "ssm_parameters.path: ", "ssm_parameters.region: "}) {
    CHECK_THAT(all, Catch::Contains(at + path));
  }
  CHECK_THAT(all, Catch::Contains("aws.cli: must be an absolute path"));
  CHECK_THAT(all, Catch::Contains("aws.timeout: "));
  CHECK(result.errors.size() == 8);

  CHECK_THAT(errors_of(parse_env("        ssm_parameters: { region: eu-north-1 }\n")),
             Catch::Contains(at + "ssm_parameters.path: is required"));
  CHECK_THAT(errors_of(parse_env("        aws_secret: web/env\n")), Catch::Contains(at + "aws_secret: must be a map"));
}

TEST_CASE("env sources: the grammars that guard the AWS CLI's argv", "[config][secrets]") {
  for (const std::string good : {"web/env", "a", "filter-ical/staging/env", "x_y+z=w.v@u-t",
                                 "arn:aws:secretsmanager:eu-north-1:123456789012:secret:web-AbCdEf"}) {
    INFO(good);
    CHECK_FALSE(check_secret_id(good));
  }
  for (const std::string& bad : std::vector<std::string>{"", "-x", "--debug", "a b", "a;b", "$(id)", "a\nb", std::string(2049, 'a')}) {
    INFO(bad);
    CHECK(check_secret_id(bad));
  }
  for (const std::string good : {"/", "/web/", "/filter-ical/staging/", "/a.b/c_d/"}) {
    INFO(good);
    CHECK_FALSE(check_parameter_path(good));
  }
  for (const std::string bad : {"", "web/", "/web", "//", "/a b/", "/a;b/", "-/"}) {
    INFO(bad);
    CHECK(check_parameter_path(bad));
  }
  for (const std::string good : {"eu-north-1", "us-east-1", "ap-southeast-2", "us-gov-west-1"}) {
    INFO(good);
    CHECK_FALSE(check_region(good));
  }
  for (const std::string bad : {"", "eu", "EU-north-1", "eu-north-1 ", "--region", "eu-north-1;x"}) {
    INFO(bad);
    CHECK(check_region(bad));
  }
  for (const std::string good : {"http://127.0.0.1:4566", "https://secretsmanager.eu-north-1.amazonaws.com",
                                 "http://[::1]:8080/", "https://vpce-1.example.com/aws"}) {
    INFO(good);
    CHECK_FALSE(check_endpoint_url(good));
  }
  for (const std::string bad : {"", "127.0.0.1:4566", "ftp://x", "http://x y", "http://x/\n", "-http://x"}) {
    INFO(bad);
    CHECK(check_endpoint_url(bad));
  }
}

TEST_CASE("env sources: a service's own sources", "[config][secrets]") {
  auto result = parse_env("", "", "}, aws_secret: { id: web/api/env, region: eu-north-1 ");
  INFO(errors_of(result));
  REQUIRE(result.config);
  const auto& env = result.config->apps.at(0).environments.at(0);
  CHECK(env.sources.empty());
  CHECK(env.has_env_sources());
  REQUIRE(env.services.at(0).sources.aws_secret);
  CHECK(env.services.at(0).sources.aws_secret->id == "web/api/env");

  auto bad = parse_env("", "", "}, ssm_parameters: { path: x, region: eu-north-1 ");
  CHECK_THAT(errors_of(bad), Catch::Contains("apps.web.environments.staging.services.api.ssm_parameters.path: "));
}
