#pragma once
// The `.env` file next to a compose file, read as compose reads it for interpolation:
// KEY=VALUE lines, an optional `export ` prefix, '#' comments, values in single quotes
// (literal) or double quotes (\n \t \" \\ escapes), unquoted values trimmed and cut at " #".
// Pure: parses text. (Compose also expands ${VAR} inside .env values; this does not.)
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fical::agent::compose {

/// The variables, or the first problem with its line number (values never quoted in it).
struct DotEnv {
  std::map<std::string, std::string> variables;
  std::string error;
};

DotEnv parse_dotenv(std::string_view text);

}  // namespace fical::agent::compose
