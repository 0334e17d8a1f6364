#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "agent/options.hpp"

int main(int argc, char** argv) {
  auto parsed = fical::agent::parse_options(std::vector<std::string>(argv, argv + argc));
  if (!parsed.options) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.output;
    return parsed.exit_code;
  }
  std::cerr << "fical-agent: the daemon is not built yet (see issues 3-5); config would be read from "
            << parsed.options->config_path << "\n";
  return 1;
}
