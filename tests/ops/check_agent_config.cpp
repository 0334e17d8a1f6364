// check_agent_config: parses an agent.yaml with the agent's own parser and prints every
// error. Lets the ops tests prove that the default config scripts/install.sh writes (and
// its commented example, uncommented) is accepted by fical-agent.
#include <fstream>
#include <iostream>
#include <sstream>

#include "agent/config/config.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: check_agent_config <agent.yaml>\n";
    return 2;
  }
  std::ifstream file(argv[1]);
  if (!file) {
    std::cerr << "check_agent_config: cannot read " << argv[1] << "\n";
    return 2;
  }
  std::stringstream text;
  text << file.rdbuf();
  auto result = fical::agent::config::parse_config(text.str());
  for (const auto& error : result.errors) {
    std::cerr << argv[1] << ": " << error.to_string() << "\n";
  }
  if (!result.config) {
    return 1;
  }
  std::cout << "ok: " << argv[1] << ": " << result.config->tokens.size() << " token(s), "
            << result.config->apps.size() << " app(s)\n";
  return 0;
}
