#pragma once
// Compose's variable interpolation in one string: $VAR, ${VAR}, ${VAR:-default},
// ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt} and $$ for a literal $.
// Pure: the variables come from a lookup.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace fical::agent::compose {

/// A variable's value, or nullopt when it is unset (set-but-empty is "").
using VariableLookup = std::function<std::optional<std::string>(const std::string&)>;

/// The interpolated text, or the first error ("required variable X is missing a value: ...").
struct Interpolated {
  std::string text;
  std::string error;
  bool ok() const { return error.empty(); }
};

Interpolated interpolate(std::string_view text, const VariableLookup& lookup);

}  // namespace fical::agent::compose
