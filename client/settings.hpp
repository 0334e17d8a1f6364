#pragma once
// Where the agent is and which token to send: flags > environment > config file > defaults.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace fical::client {

inline constexpr std::string_view kDefaultUrl = "http://127.0.0.1:7070";
inline constexpr std::string_view kDefaultConfigPath = "/etc/fical/client.yaml";

/// One source of settings (flags, environment or config file); empty means "not given".
struct SettingsLayer {
  std::string url;
  std::string token;       // a token value (only FICAL_TOKEN gives one)
  std::string token_file;
};

/// The outcome of resolving the layers: what to use, and where it came from (for messages).
struct Settings {
  std::string url;
  std::string url_source;         // "--url", "FICAL_URL", "/etc/fical/client.yaml", "default"
  std::string token;              // a value given directly (FICAL_TOKEN)
  std::string token_file;         // or a file to read it from
  std::string token_source;       // where the token (or file) came from; empty when none
};

/// Picks each setting from the first layer that has it. A token value and a token file in
/// the same layer: the value wins (only the environment can hold both).
Settings resolve_settings(const SettingsLayer& flags, const SettingsLayer& environment,
                          const SettingsLayer& config, std::string_view config_path);

/// Reads a client.yaml text: keys `url` and `token_file`, nothing else.
/// Returns the layer, or a message naming the file and the problem.
std::variant<SettingsLayer, std::string> parse_client_config(std::string_view yaml_text,
                                                             std::string_view path);

/// Reads the config file at `path`. A missing file is fine when it was not asked for
/// explicitly (`required` false): it yields an empty layer.
std::variant<SettingsLayer, std::string> load_client_config(const std::string& path,
                                                            bool required);

/// Why a token file with these mode bits must not be used, or nullopt when it is safe:
/// a token readable by the group or by others is refused.
std::optional<std::string> check_token_file_mode(std::string_view path, unsigned mode);

/// Why a token value cannot be sent in a header, or nullopt (never quotes the token).
std::optional<std::string> check_token_value(std::string_view token, std::string_view source);

/// Reads the token from a file: refuses group/other-readable files and non-regular files;
/// trims surrounding whitespace. Returns the token or a message (never the token) .
struct TokenOrError {
  std::string token;
  std::string error;
};
TokenOrError read_token_file(const std::string& path);

}  // namespace fical::client
