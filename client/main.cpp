#include <iostream>
#include <string>
#include <vector>

#include "client/cli.hpp"

int main(int argc, char** argv) {
  return fical::client::run(std::vector<std::string>(argv, argv + argc), std::cout, std::cerr);
}
