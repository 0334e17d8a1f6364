#include "agent/import_compose_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fical::agent {
namespace {

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; *entry; ++entry) {
    std::string text(*entry);
    auto eq = text.find('=');
    if (eq != std::string::npos) environment.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return environment;
}

std::variant<compose::EnvRequest, std::string> parse_env_request(const std::string& text) {
  compose::EnvRequest request;
  auto eq = text.find('=');
  request.name = text.substr(0, eq);
  if (request.name.empty()) return "--env " + text + ": give NAME=VAR=VALUE[,VAR=VALUE...]";
  if (eq == std::string::npos) return request;
  std::stringstream rest(text.substr(eq + 1));
  std::string assignment;
  while (std::getline(rest, assignment, ',')) {
    auto at = assignment.find('=');
    if (at == std::string::npos || at == 0) {
      return "--env " + request.name + ": \"" + assignment + "\" is not VAR=VALUE";
    }
    request.variables[assignment.substr(0, at)] = assignment.substr(at + 1);
  }
  return request;
}

int run_import_compose(const ImportComposeOptions& options,
                       const std::map<std::string, std::string>& process_env, std::ostream& out,
                       std::ostream& err) {
  const std::string prefix = "fical-agent import-compose: ";
  compose::ImportOptions import;
  import.app = options.app;
  import.image_prefix = options.image_prefix;
  import.source = options.source;
  if (!import.image_prefix.empty() && !import.source.empty()) {
    err << prefix
        << "give --source (build on the host) or --image-prefix (images from CI), not both\n";
    return 2;
  }
  std::set<std::string> names;
  for (const auto& text : options.environments) {
    auto parsed = parse_env_request(text);
    if (auto* error = std::get_if<std::string>(&parsed)) {
      err << prefix << *error << "\n";
      return 2;
    }
    auto& request = std::get<compose::EnvRequest>(parsed);
    if (!names.insert(request.name).second) {
      err << prefix << "--env " << request.name << " is given twice\n";
      return 2;
    }
    import.environments.push_back(std::move(request));
  }
  std::error_code ec;
  auto file = std::filesystem::absolute(options.file, ec);
  auto text = read_text(file);
  if (ec || !text || std::filesystem::is_directory(file)) {
    err << prefix << "cannot read " << options.file << "\n";
    return 1;
  }
  compose::ComposeInput input;
  input.text = *text;
  input.directory = file.parent_path().lexically_normal().string();
  input.file_name = file.filename().string();
  input.dotenv_text = read_text(file.parent_path() / ".env");
  input.process_env = process_env;
  auto result = compose::import_compose(input, import);
  for (const auto& error : result.errors) err << prefix << options.file << ": " << error << "\n";
  if (!result.ok()) return 1;
  out << result.yaml;
  for (const auto& item : result.report) err << item.to_string() << "\n";
  return 0;
}

}  // namespace fical::agent
