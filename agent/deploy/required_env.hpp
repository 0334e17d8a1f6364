#pragma once
// The environment keys a release needs, as its image declares them in a label, and which
// of them a deployment's env_file and config leave unset. Pure logic.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/deploy/docker_specs.hpp"

namespace fical::agent::deploy {

/// The image label naming the keys a release needs, e.g.
/// LABEL fical.required-env="DATABASE_URL SECRET_KEY" (commas or whitespace between keys).
inline constexpr std::string_view kRequiredEnvLabel = "fical.required-env";

/// The keys a label's value names, and the words in it that are not valid key names.
struct RequiredEnv {
  std::vector<std::string> keys;
  std::vector<std::string> invalid;
};

RequiredEnv parse_required_env(std::string_view label);

/// The keys of `required`, in order, that neither the env_file nor the service's env sets.
/// An empty value counts as set (Docker passes it).
std::vector<std::string> missing_env_keys(const std::vector<std::string>& required, const EnvVars& env_file,
                                          const std::map<std::string, std::string>& env);

}  // namespace fical::agent::deploy
