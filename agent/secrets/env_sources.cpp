#include "agent/secrets/env_sources.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace fical::agent::secrets {
namespace {

constexpr std::size_t kMaxErrorLine = 300;

std::vector<std::string> common_tail(const config::AwsOptions& aws, const std::string& region,
                                     const std::string& endpoint_url) {
  auto seconds = std::to_string(std::max<long>(1, static_cast<long>(aws.timeout.count() / 1000)));
  std::vector<std::string> tail{"--region", region};
  if (!endpoint_url.empty()) tail.insert(tail.end(), {"--endpoint-url", endpoint_url});
  tail.insert(tail.end(), {"--output", "json", "--no-cli-pager", "--cli-connect-timeout", "5",
                           "--cli-read-timeout", seconds});
  return tail;
}

std::vector<std::string> with_tail(std::vector<std::string> argv, std::vector<std::string> tail) {
  argv.insert(argv.end(), tail.begin(), tail.end());
  return argv;
}

nlohmann::json parse_answer(const std::string& answer, const std::string& label) {
  try {
    auto json = nlohmann::json::parse(answer);
    if (json.is_object()) return json;
  } catch (const nlohmann::json::exception&) {
  }
  throw SourceError(label + ": the AWS CLI's answer is not a JSON object");
}

// Docker passes KEY=VALUE: a key may not hold '=', whitespace or control characters.
bool usable_key(const std::string& key) {
  return !key.empty() && key.size() <= 256 && std::all_of(key.begin(), key.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '=';
  });
}

std::string shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

std::string label_of(const config::AwsSecretSource& source) { return "aws_secret " + source.id; }
std::string label_of(const config::SsmParametersSource& source) { return "ssm_parameters " + source.path; }

std::vector<std::string> get_secret_argv(const config::AwsOptions& aws, const config::AwsSecretSource& source,
                                         const std::string& version_id) {
  std::vector<std::string> argv{aws.cli, "secretsmanager", "get-secret-value", "--secret-id", source.id};
  if (!version_id.empty()) argv.insert(argv.end(), {"--version-id", version_id});
  return with_tail(std::move(argv), common_tail(aws, source.region, source.endpoint_url));
}

std::vector<std::string> get_parameters_by_path_argv(const config::AwsOptions& aws,
                                                     const config::SsmParametersSource& source) {
  return with_tail({aws.cli, "ssm", "get-parameters-by-path", "--path", source.path, "--recursive",
                    "--with-decryption"},
                   common_tail(aws, source.region, source.endpoint_url));
}

std::vector<std::string> get_parameters_argv(const config::AwsOptions& aws, const config::SsmParametersSource& source,
                                             const std::vector<proto::SecretVersion>& pinned) {
  std::vector<std::string> argv{aws.cli, "ssm", "get-parameters", "--names"};
  for (const auto& p : pinned) argv.push_back(p.name + ":" + p.version);
  argv.push_back("--with-decryption");
  return with_tail(std::move(argv), common_tail(aws, source.region, source.endpoint_url));
}

SourceValues read_secret_value(const std::string& answer, const config::AwsSecretSource& source) {
  SourceValues values{label_of(source), {}, {}};
  auto json = parse_answer(answer, values.label);
  auto version = json.find("VersionId");
  auto text = json.find("SecretString");
  if (version == json.end() || !version->is_string()) throw SourceError(values.label + ": no VersionId in the answer");
  if (text == json.end() || !text->is_string()) {
    throw SourceError(values.label + ": the secret has no SecretString (a binary secret cannot be an env)");
  }
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(text->get<std::string>());
  } catch (const nlohmann::json::exception&) {
  }
  if (!object.is_object()) {
    throw SourceError(values.label + ": the secret's value is not a JSON object of keys and values");
  }
  for (const auto& [key, value] : object.items()) {
    if (!usable_key(key)) throw SourceError(values.label + ": key \"" + shown(key) + "\" cannot be an env variable name");
    if (value.is_string()) {
      values.vars.emplace_back(key, value.get<std::string>());
    } else if (value.is_number() || value.is_boolean()) {
      values.vars.emplace_back(key, value.dump());
    } else {
      throw SourceError(values.label + ": the value of " + key + " is not a string, number or boolean");
    }
  }
  values.versions.push_back({"aws_secret", source.id, version->get<std::string>(), ""});
  return values;
}

SourceValues read_parameters(const std::string& answer, const config::SsmParametersSource& source) {
  SourceValues values{label_of(source), {}, {}};
  auto json = parse_answer(answer, values.label);
  if (auto invalid = json.find("InvalidParameters"); invalid != json.end() && invalid->is_array() && !invalid->empty()) {
    std::string names;
    for (const auto& name : *invalid) names += (names.empty() ? "" : ", ") + shown(name.is_string() ? name.get<std::string>() : "?");
    throw SourceError(values.label + ": these parameter versions no longer exist: " + names);
  }
  std::map<std::string, std::string> owner;  // key -> parameter name
  for (const auto& p : json.value("Parameters", nlohmann::json::array())) {
    auto name = p.value("Name", std::string());
    auto slash = name.rfind('/');
    auto key = slash == std::string::npos ? name : name.substr(slash + 1);
    if (!usable_key(key) || !p.contains("Value") || !p["Value"].is_string() || !p.contains("Version") ||
        !p["Version"].is_number_integer()) {
      throw SourceError(values.label + ": parameter \"" + shown(name) + "\" has no usable name, Value or Version");
    }
    if (auto [it, fresh] = owner.emplace(key, name); !fresh) {
      throw SourceError(values.label + ": parameters " + it->second + " and " + name + " both make " + key);
    }
    values.vars.emplace_back(key, p["Value"].get<std::string>());
    values.versions.push_back({"ssm_parameter", name, std::to_string(p["Version"].get<long long>()), ""});
  }
  return values;
}

std::string aws_error_line(const std::string& stderr_text) {
  // "An error occurred (AccessDeniedException) when calling the GetSecretValue operation: ..."
  std::string line;
  std::size_t start = 0;
  while (start < stderr_text.size()) {
    auto end = stderr_text.find('\n', start);
    auto piece = stderr_text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (piece.find_first_not_of(" \t\r") != std::string::npos) line = piece;
    if (piece.find("An error occurred (") != std::string::npos) break;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  // "... when calling the X operation: message" or "... operation (reached max retries: 0): message"
  if (auto at = line.find("An error occurred ("); at != std::string::npos) {
    auto close = line.find(')', at);
    if (close != std::string::npos) {
      auto code = line.substr(at + 19, close - at - 19);
      std::string message;
      if (auto op = line.find(" operation", close); op != std::string::npos) {
        auto after = op + 10;
        auto colon = line.compare(after, 2, " (") == 0 ? line.find("): ", after) : line.find(": ", after);
        if (colon != std::string::npos) message = line.substr(colon + (line[colon] == ')' ? 3 : 2));
      }
      line = code + (message.empty() ? "" : ": " + message);
    }
  }
  std::string out;
  for (char c : line) {
    if (out.size() >= kMaxErrorLine) break;
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  return out.empty() ? "the AWS CLI failed without a message" : out;
}

void overlay(EnvVars& base, const EnvVars& over) {
  for (const auto& entry : over) {  // no structured binding: clang 14 cannot capture one
    auto it = std::find_if(base.begin(), base.end(), [&](const auto& kv) { return kv.first == entry.first; });
    if (it != base.end()) {
      it->second = entry.second;
    } else {
      base.push_back(entry);
    }
  }
}

EnvDiff diff_env(const EnvVars& from, const EnvVars& to) {
  std::map<std::string, std::string> a(from.begin(), from.end());
  std::map<std::string, std::string> b(to.begin(), to.end());
  EnvDiff diff;
  for (const auto& [key, value] : b) {
    auto it = a.find(key);
    if (it == a.end()) {
      diff.added.push_back(key);
    } else if (it->second != value) {
      diff.changed.push_back(key);
    }
  }
  for (const auto& [key, value] : a) {
    if (!b.count(key)) diff.removed.push_back(key);
  }
  return diff;
}

std::vector<std::string> changed_versions(const std::vector<proto::SecretVersion>& pinned,
                                          const std::vector<proto::SecretVersion>& today) {
  std::map<std::string, std::string> a;
  std::map<std::string, std::string> b;
  for (const auto& v : pinned) a[v.source + " " + v.name] = v.version;
  for (const auto& v : today) b[v.source + " " + v.name] = v.version;
  std::vector<std::string> names;
  for (const auto& [name, version] : a) {
    if (auto it = b.find(name); it == b.end() || it->second != version) names.push_back(name);
  }
  for (const auto& [name, version] : b) {
    if (!a.count(name)) names.push_back(name);
  }
  return names;
}

}  // namespace fical::agent::secrets
