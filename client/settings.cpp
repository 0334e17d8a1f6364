#include "client/settings.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace fical::client {
namespace {

std::string octal(unsigned mode) {
  std::ostringstream out;
  out << '0' << std::oct << (mode & 07777u);
  return out.str();
}

std::string trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace

Settings resolve_settings(const SettingsLayer& flags, const SettingsLayer& environment,
                          const SettingsLayer& config, std::string_view config_path) {
  Settings settings;
  settings.url = std::string(kDefaultUrl);
  settings.url_source = "default";
  struct Named {
    const SettingsLayer& layer;
    std::string url_name;
    std::string token_name;
    std::string token_file_name;
  };
  const std::string file(config_path);
  const Named layers[] = {{flags, "--url", "", "--token-file"},
                          {environment, "FICAL_URL", "FICAL_TOKEN", "FICAL_TOKEN_FILE"},
                          {config, file, "", file}};
  for (const auto& [layer, url_name, token_name, token_file_name] : layers) {
    if (!layer.url.empty()) {
      settings.url = layer.url;
      settings.url_source = url_name;
      break;
    }
  }
  for (const auto& [layer, url_name, token_name, token_file_name] : layers) {
    if (!layer.token.empty()) {
      settings.token = layer.token;
      settings.token_source = token_name;
      break;
    }
    if (!layer.token_file.empty()) {
      settings.token_file = layer.token_file;
      settings.token_source = token_file_name;
      break;
    }
  }
  return settings;
}

std::variant<SettingsLayer, std::string> parse_client_config(std::string_view yaml_text,
                                                             std::string_view path) {
  const std::string where(path);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return where + ": not valid YAML: " + e.msg;
  }
  SettingsLayer layer;
  if (root.IsNull()) return layer;
  if (!root.IsMap()) return where + ": must be a mapping with keys url and token_file";
  for (const auto& entry : root) {
    auto key = entry.first.as<std::string>("");
    if (key != "url" && key != "token_file") {
      return where + ": unknown key \"" + key + "\" (known: url, token_file)";
    }
    if (!entry.second.IsScalar()) return where + ": " + key + " must be a string";
    (key == "url" ? layer.url : layer.token_file) = entry.second.as<std::string>();
  }
  return layer;
}

std::variant<SettingsLayer, std::string> load_client_config(const std::string& path,
                                                            bool required) {
  std::ifstream in(path);
  if (!in) {
    if (!required && errno == ENOENT) return SettingsLayer{};
    return path + ": cannot read: " + std::strerror(errno);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_client_config(text.str(), path);
}

std::optional<std::string> check_token_file_mode(std::string_view path, unsigned mode) {
  if ((mode & 0044u) == 0) return std::nullopt;
  const std::string file(path);
  return "token file " + file + " is readable by " +
         ((mode & 0040u) && (mode & 0004u) ? "its group and others"
          : (mode & 0040u)                 ? "its group"
                                           : "others") +
         " (mode " + octal(mode) + "); refusing to use it. Fix: chmod 600 " + file;
}

std::optional<std::string> check_token_value(std::string_view token, std::string_view source) {
  if (token.empty()) return "the token from " + std::string(source) + " is empty";
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) {
      return "the token from " + std::string(source) +
             " contains spaces or control characters; it cannot be sent";
    }
  }
  return std::nullopt;
}

TokenOrError read_token_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return {"", "token file " + path + ": " + std::strerror(errno)};
  }
  if (!S_ISREG(info.st_mode)) return {"", "token file " + path + " is not a regular file"};
  if (auto problem = check_token_file_mode(path, info.st_mode)) return {"", *problem};
  std::ifstream in(path);
  if (!in) return {"", "token file " + path + ": " + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  auto token = trim(text.str());
  if (auto problem = check_token_value(token, "token file " + path)) return {"", *problem};
  return {token, ""};
}

}  // namespace fical::client
