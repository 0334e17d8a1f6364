#include "agent/options.hpp"

#include <CLI/CLI.hpp>

#include <sstream>

#include "proto/version.hpp"

namespace fical::agent {

ParsedOptions parse_options(const std::vector<std::string>& args) {
  Options options;
  CLI::App app{"fical-agent: zero-downtime deployments of Docker apps behind nginx", "fical-agent"};
  app.add_option("-c,--config", options.config_path, "Agent configuration file")
      ->capture_default_str();
  app.add_flag("--version", options.show_version, "Print the version and exit");
  app.add_flag("--check-config", options.check_config,
               "Validate the configuration, print \"ok\" or every error, and exit 0 or 1");
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "Log lines on stderr as text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.footer("Examples:\n  fical-agent --config /etc/fical/agent.yaml\n"
             "  fical-agent --config /etc/fical/agent.yaml --check-config");

  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    int code = app.exit(e, out, err);
    return {std::nullopt, code == 0 ? 0 : 2, out.str() + err.str()};
  }
  options.log_format = log_format == "json" ? LogFormat::json : LogFormat::text;
  if (options.show_version) {
    return {std::nullopt, 0, "fical-agent " + std::string(proto::kVersion) + "\n"};
  }
  return {options, 0, {}};
}

}  // namespace fical::agent
