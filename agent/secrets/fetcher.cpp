#include "agent/secrets/fetcher.hpp"

namespace fical::agent::secrets {
namespace {

constexpr std::size_t kNamesPerCall = 10;  // GetParameters' limit

}  // namespace

std::string EnvSourceFetcher::call(const std::vector<std::string>& argv, const std::string& label) {
  auto result = cli_.run(argv, options_.timeout);
  if (!result.error.empty()) throw SourceError(label + ": " + result.error);
  if (result.timed_out) {
    throw SourceError(label + ": the AWS CLI did not answer within " +
                      std::to_string(options_.timeout.count() / 1000) + "s (aws.timeout)");
  }
  if (result.exit_code != 0) throw SourceError(label + ": " + aws_error_line(result.err));
  return std::move(result.out);
}

std::vector<SourceValues> EnvSourceFetcher::fetch_current(const config::EnvSources& env) {
  std::vector<SourceValues> sources;
  if (env.aws_secret) {
    auto label = label_of(*env.aws_secret);
    sources.push_back(read_secret_value(call(get_secret_argv(options_, *env.aws_secret, ""), label), *env.aws_secret));
  }
  if (env.ssm_parameters) {
    auto label = label_of(*env.ssm_parameters);
    sources.push_back(read_parameters(call(get_parameters_by_path_argv(options_, *env.ssm_parameters), label),
                                      *env.ssm_parameters));
  }
  return sources;
}

std::vector<SourceValues> EnvSourceFetcher::fetch_pinned(const config::EnvSources& env,
                                                         const std::vector<proto::SecretVersion>& pinned) {
  std::vector<SourceValues> sources;
  std::vector<proto::SecretVersion> parameters;
  for (const auto& p : pinned) {
    if (p.source == "aws_secret") {
      if (!env.aws_secret) {
        throw SourceError("aws_secret " + p.name + ": the release ran with it, but the environment has no "
                          "aws_secret now (roll back with current_env to use today's sources)");
      }
      auto source = *env.aws_secret;
      source.id = p.name;
      sources.push_back(read_secret_value(call(get_secret_argv(options_, source, p.version), label_of(source)), source));
    } else if (p.source == "ssm_parameter") {
      parameters.push_back(p);
    }
  }
  if (parameters.empty()) return sources;
  if (!env.ssm_parameters) {
    throw SourceError("ssm_parameters: the release ran with them, but the environment has no ssm_parameters now "
                      "(roll back with current_env to use today's sources)");
  }
  SourceValues all{label_of(*env.ssm_parameters), {}, {}};
  for (std::size_t i = 0; i < parameters.size(); i += kNamesPerCall) {
    std::vector<proto::SecretVersion> batch(parameters.begin() + static_cast<long>(i),
                                            parameters.begin() + static_cast<long>(std::min(parameters.size(), i + kNamesPerCall)));
    auto read = read_parameters(call(get_parameters_argv(options_, *env.ssm_parameters, batch), all.label),
                                *env.ssm_parameters);
    all.vars.insert(all.vars.end(), read.vars.begin(), read.vars.end());
    all.versions.insert(all.versions.end(), read.versions.begin(), read.versions.end());
  }
  sources.push_back(std::move(all));
  return sources;
}

EnvVars combined(const std::vector<SourceValues>& sources) {
  EnvVars vars;
  for (const auto& s : sources) overlay(vars, s.vars);
  return vars;
}

std::vector<proto::SecretVersion> versions_of(const std::vector<SourceValues>& sources) {
  std::vector<proto::SecretVersion> versions;
  for (const auto& s : sources) versions.insert(versions.end(), s.versions.begin(), s.versions.end());
  return versions;
}

}  // namespace fical::agent::secrets
