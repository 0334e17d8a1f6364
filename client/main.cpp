#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli.hpp"
#include "client/http_transport.hpp"

int main(int argc, char** argv) {
  using namespace fical::client;
  winsize size{};
  bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::size_t width = 80;
  if (tty && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) width = size.ws_col;
  Process process{std::cout, std::cerr,
                  [](const char* name) {
                    const char* value = std::getenv(name);
                    return value ? std::string(value) : std::string();
                  },
                  tty, width,
                  [](const AgentUrl& url, const std::string& ca_file) -> std::unique_ptr<Transport> {
                    return std::make_unique<BeastTransport>(url, ca_file);
                  }};
  return run(std::vector<std::string>(argv, argv + argc), process);
}
