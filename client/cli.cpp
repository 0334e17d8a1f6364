#include "client/cli.hpp"

#include <CLI/CLI.hpp>

#include <ostream>

#include "proto/version.hpp"

namespace fical::client {

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"fical-client: deploy, roll back and inspect apps through fical-agent",
               "fical-client"};
  app.require_subcommand(1);
  app.add_subcommand("version", "Print the client version")->callback([&] {
    out << "fical-client " << proto::kVersion << "\n";
  });
  app.footer("Exit codes: 0 live, 1 failed or rolled back, 2 usage, 3 agent unreachable "
             "or refused, 4 timed out while the deployment goes on.");

  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }
  return static_cast<int>(ExitCode::live);
}

}  // namespace fical::client
