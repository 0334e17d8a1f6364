#pragma once
// The pure half of env sources in AWS: the AWS CLI argv for each call, reading its JSON
// answers into variables and versions, its error into one safe line, and comparing envs
// by key names. Values are secrets: nothing here puts one in a message.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "agent/config/config.hpp"
#include "proto/release.hpp"

namespace fical::agent::secrets {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

/// A source could not be fetched or read; the message names the source and the AWS error
/// (never a value).
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One source's variables and the versions they came at.
struct SourceValues {
  std::string label;  // "aws_secret web/env", for messages
  EnvVars vars;
  std::vector<proto::SecretVersion> versions;
};

std::string label_of(const config::AwsSecretSource& source);
std::string label_of(const config::SsmParametersSource& source);

/// `aws secretsmanager get-secret-value`; by VersionId when `version_id` is not empty.
std::vector<std::string> get_secret_argv(const config::AwsOptions& aws, const config::AwsSecretSource& source,
                                         const std::string& version_id);
/// `aws ssm get-parameters-by-path --recursive --with-decryption`.
std::vector<std::string> get_parameters_by_path_argv(const config::AwsOptions& aws,
                                                     const config::SsmParametersSource& source);
/// `aws ssm get-parameters --names NAME:VERSION... --with-decryption` (at most 10 names).
std::vector<std::string> get_parameters_argv(const config::AwsOptions& aws, const config::SsmParametersSource& source,
                                             const std::vector<proto::SecretVersion>& pinned);

/// GetSecretValue's answer: SecretString must be a JSON object of keys to strings (numbers
/// and booleans are taken as their JSON text).
SourceValues read_secret_value(const std::string& answer, const config::AwsSecretSource& source);
/// GetParametersByPath's or GetParameters' answer: each parameter a variable named by the
/// last part of its name. Throws on two parameters with the same last part, or on any
/// of GetParameters' InvalidParameters.
SourceValues read_parameters(const std::string& answer, const config::SsmParametersSource& source);

/// The AWS error in the CLI's stderr as one line ("AccessDeniedException: ..."), at most
/// 300 printable characters.
std::string aws_error_line(const std::string& stderr_text);

/// `over` applied on `base`: a key in both takes `over`'s value in base's place; new keys
/// are appended in order.
void overlay(EnvVars& base, const EnvVars& over);

/// What differs between two envs, by key name only.
struct EnvDiff {
  std::vector<std::string> added, removed, changed;
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};
EnvDiff diff_env(const EnvVars& from, const EnvVars& to);

/// The names whose version differs between `pinned` and `today` (or is in only one).
std::vector<std::string> changed_versions(const std::vector<proto::SecretVersion>& pinned,
                                          const std::vector<proto::SecretVersion>& today);

}  // namespace fical::agent::secrets
