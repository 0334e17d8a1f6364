#include "agent/secrets/env_sources.hpp"

#include <catch2/catch.hpp>

#include "agent/secrets/fetcher.hpp"

using namespace fical::agent;
using namespace fical::agent::secrets;

namespace {

config::AwsSecretSource secret{"web/env", "eu-north-1", "http://127.0.0.1:4566"};
config::SsmParametersSource parameters{"/web/staging/", "eu-north-1", ""};

/// Answers each call from a list and records the argv; for the fetcher's logic only.
struct ScriptedCli : AwsCli {
  std::vector<CliResult> answers;
  std::vector<std::vector<std::string>> calls;
  CliResult run(const std::vector<std::string>& argv, std::chrono::milliseconds) override {
    calls.push_back(argv);
    auto answer = answers.at(calls.size() - 1);
    return answer;
  }
};

}  // namespace

TEST_CASE("secrets: the AWS CLI argv names sources and versions, never values", "[secrets]") {
  config::AwsOptions aws;
  CHECK(get_secret_argv(aws, secret, "") ==
        std::vector<std::string>{"/usr/bin/aws", "secretsmanager", "get-secret-value", "--secret-id", "web/env",
                                 "--region", "eu-north-1", "--endpoint-url", "http://127.0.0.1:4566", "--output",
                                 "json", "--no-cli-pager", "--cli-connect-timeout", "5", "--cli-read-timeout", "20"});
  auto pinned = get_secret_argv(aws, secret, "v-1");
  CHECK(std::vector<std::string>(pinned.begin() + 5, pinned.begin() + 7) ==
        std::vector<std::string>{"--version-id", "v-1"});
  CHECK(get_parameters_by_path_argv(aws, parameters) ==
        std::vector<std::string>{"/usr/bin/aws", "ssm", "get-parameters-by-path", "--path", "/web/staging/",
                                 "--recursive", "--with-decryption", "--region", "eu-north-1", "--output", "json",
                                 "--no-cli-pager", "--cli-connect-timeout", "5", "--cli-read-timeout", "20"});
  auto names = get_parameters_argv(aws, parameters, {{"ssm_parameter", "/web/staging/A", "3"},
                                                     {"ssm_parameter", "/web/staging/B", "1"}});
  CHECK(std::vector<std::string>(names.begin() + 3, names.begin() + 7) ==
        std::vector<std::string>{"--names", "/web/staging/A:3", "/web/staging/B:1", "--with-decryption"});
}

TEST_CASE("secrets: answers become variables and versions", "[secrets]") {
  auto values = read_secret_value(
      R"({"Name":"web/env","VersionId":"v-2","SecretString":"{\"DB_PASSWORD\":\"p=w\",\"WORKERS\":4,\"DEBUG\":false}"})",
      secret);
  CHECK(values.vars == EnvVars{{"DB_PASSWORD", "p=w"}, {"DEBUG", "false"}, {"WORKERS", "4"}});
  CHECK(values.versions == std::vector<fical::proto::SecretVersion>{{"aws_secret", "web/env", "v-2"}});

  auto params = read_parameters(R"({"Parameters":[
      {"Name":"/web/staging/API_KEY","Type":"SecureString","Value":"k1","Version":3},
      {"Name":"/web/staging/deep/REGION","Type":"String","Value":"eu","Version":1}]})",
                                parameters);
  CHECK(params.vars == EnvVars{{"API_KEY", "k1"}, {"REGION", "eu"}});
  CHECK(params.versions == std::vector<fical::proto::SecretVersion>{{"ssm_parameter", "/web/staging/API_KEY", "3"},
                                                                    {"ssm_parameter", "/web/staging/deep/REGION", "1"}});

  // Unusable answers are errors that name the source but never show a value.
  for (const std::string bad : {R"({"VersionId":"v","SecretString":"hunter2"})",
                                R"({"VersionId":"v","SecretString":"{\"A\":{\"b\":\"hunter2\"}}"})",
                                R"({"VersionId":"v","SecretBinary":"aHVudGVyMg=="})", "not json hunter2"}) {
    INFO(bad);
    try {
      read_secret_value(bad, secret);
      FAIL("accepted");
    } catch (const SourceError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith("aws_secret web/env: ") && !Catch::Contains("hunter2"));
    }
  }
  CHECK_THROWS_AS(read_parameters(R"({"Parameters":[{"Name":"/web/staging/A","Value":"x","Version":1},
      {"Name":"/web/staging/b/A","Value":"y","Version":1}]})", parameters), SourceError);
  CHECK_THROWS_AS(read_parameters(R"({"Parameters":[],"InvalidParameters":["/web/staging/A:9"]})", parameters),
                  SourceError);
}

TEST_CASE("secrets: the AWS error as one line, envs compared by key names", "[secrets]") {
  CHECK(aws_error_line("\nAn error occurred (AccessDeniedException) when calling the GetSecretValue operation: "
                       "User is not authorized\n") == "AccessDeniedException: User is not authorized");
  CHECK(aws_error_line("An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation "
                       "(reached max retries: 0): Secrets Manager can't find the specified secret.\n") ==
        "ResourceNotFoundException: Secrets Manager can't find the specified secret.");
  CHECK(aws_error_line("") == "the AWS CLI failed without a message");
  CHECK(aws_error_line(std::string(1000, 'x')).size() == 300);

  EnvVars base{{"A", "1"}, {"B", "2"}};
  overlay(base, {{"B", "3"}, {"C", "4"}});
  CHECK(base == EnvVars{{"A", "1"}, {"B", "3"}, {"C", "4"}});
  auto diff = diff_env({{"A", "1"}, {"B", "2"}, {"D", "x"}}, {{"A", "1"}, {"B", "9"}, {"C", "4"}});
  CHECK(diff.added == std::vector<std::string>{"C"});
  CHECK(diff.removed == std::vector<std::string>{"D"});
  CHECK(diff.changed == std::vector<std::string>{"B"});
  CHECK(changed_versions({{"aws_secret", "web/env", "v1"}}, {{"aws_secret", "web/env", "v2"}}) ==
        std::vector<std::string>{"aws_secret web/env"});
}

TEST_CASE("secrets: the fetcher applies sources in order and pins by version", "[secrets]") {
  config::EnvSources env;
  env.aws_secret = secret;
  env.ssm_parameters = parameters;
  config::AwsOptions aws;
  ScriptedCli cli;
  cli.answers = {{0, false, R"({"VersionId":"v-1","SecretString":"{\"A\":\"from-secret\",\"B\":\"b\"}"})", "", ""},
                 {0, false, R"({"Parameters":[{"Name":"/web/staging/A","Value":"from-ssm","Version":2}]})", "", ""}};
  EnvSourceFetcher fetcher(cli, aws);
  auto sources = fetcher.fetch_current(env);
  CHECK(combined(sources) == EnvVars{{"A", "from-ssm"}, {"B", "b"}});
  CHECK(versions_of(sources).size() == 2);

  ScriptedCli pinned_cli;
  pinned_cli.answers = {
      {0, false, R"({"VersionId":"v-0","SecretString":"{\"A\":\"old\"}"})", "", ""},
      {0, false, R"({"Parameters":[{"Name":"/web/staging/A","Value":"old-ssm","Version":1}]})", "", ""}};
  EnvSourceFetcher pinned(pinned_cli, aws);
  auto old = pinned.fetch_pinned(env, {{"aws_secret", "web/env", "v-0"}, {"ssm_parameter", "/web/staging/A", "1"}});
  CHECK(combined(old) == EnvVars{{"A", "old-ssm"}});
  CHECK(pinned_cli.calls.at(0).at(5) == "--version-id");
  CHECK(pinned_cli.calls.at(1).at(4) == "/web/staging/A:1");

  ScriptedCli failing;
  failing.answers = {{255, false, "", "An error occurred (ResourceNotFoundException) when calling the GetSecretValue "
                                      "operation: Secrets Manager can't find the specified secret.", ""}};
  EnvSourceFetcher broken(failing, aws);
  CHECK_THROWS_WITH(broken.fetch_current(env), Catch::StartsWith("aws_secret web/env: ResourceNotFoundException"));
  ScriptedCli slow;
  slow.answers = {{-1, true, "", "", ""}};
  EnvSourceFetcher late(slow, aws);
  CHECK_THROWS_WITH(late.fetch_current(env), Catch::Contains("did not answer within 20s"));
  config::EnvSources bare;
  CHECK_THROWS_AS(pinned.fetch_pinned(bare, {{"aws_secret", "web/env", "v-0"}}), SourceError);
}
