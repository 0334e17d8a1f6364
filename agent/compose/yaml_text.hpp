#pragma once
// Scalars and flow collections written as YAML text that agent.yaml's parser reads back
// as the same strings. Pure.
#include <string>
#include <vector>

namespace fical::agent::compose {

/// Plain when it is safe and unambiguous, else a double-quoted (JSON-escaped) scalar.
std::string yaml_scalar(const std::string& text);
/// [a, "b c"]
std::string yaml_flow_list(const std::vector<std::string>& items);

}  // namespace fical::agent::compose
