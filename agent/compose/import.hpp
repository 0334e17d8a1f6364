#pragma once
// docker-compose.yml -> the `apps:` section of agent.yaml. Pure: the caller reads the
// compose file, its .env and the process environment, and prints the result.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fical::agent::compose {

/// One fical environment to produce, with the variables that make it (ENVIRONMENT=staging).
struct EnvRequest {
  std::string name;
  std::map<std::string, std::string> variables;
};

/// What `fical-agent import-compose` was asked beyond the file.
struct ImportOptions {
  std::string app;                       // empty: compose's `name:`, else the directory's name
  std::vector<EnvRequest> environments;  // empty: one, "production"
  std::string image_prefix;              // REGISTRY/OWNER for images CI builds
  std::string source;                    // the app's git repo: build mode
};

/// The compose file and what interpolation reads besides the --env variables.
struct ComposeInput {
  std::string text;
  std::string directory;  // absolute: relative paths resolve against it
  std::string file_name = "docker-compose.yml";
  std::optional<std::string> dotenv_text;  // the .env next to the file, when there is one
  std::map<std::string, std::string> process_env;
};

/// Something the import could not carry over as it was, at a compose key path.
struct ReportItem {
  enum class Kind { unmapped, note, accessory };
  Kind kind = Kind::note;
  std::string path;  // "services.backend.restart"
  std::string message;
  std::string to_string() const;
};

/// The YAML (empty when errors), the report, and the errors that stopped it.
struct ImportResult {
  std::string yaml;
  std::vector<ReportItem> report;
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

ImportResult import_compose(const ComposeInput& input, const ImportOptions& options);

}  // namespace fical::agent::compose
