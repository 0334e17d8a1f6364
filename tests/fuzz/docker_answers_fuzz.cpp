// libFuzzer target: bytes as the daemon's JSON answers and error bodies. Every parser must
// either return or throw DockerError: any other exception or a crash is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/docker/docker_error.hpp"
#include "agent/docker/parse.hpp"

namespace {

using namespace fical::agent::docker;

template <typename F>
void quietly(F&& parse) {
  try {
    parse();
  } catch (const DockerError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(bytes), size);
  quietly([&] { (void)parse::container_info(body); });
  quietly([&] { (void)parse::container_summaries(body); });
  quietly([&] { (void)parse::image_info(body); });
  quietly([&] { (void)parse::image_summaries(body); });
  quietly([&] { (void)parse::version(body); });
  quietly([&] { (void)parse::network_info(body); });
  quietly([&] { (void)parse::created_id(body, "POST /fuzz"); });
  quietly([&] { (void)parse::wait_status(body); });
  quietly([&] { (void)parse::exec_exit_code(body); });
  auto error = http_error("GET /fuzz", 500, body);
  if (error.docker_message().size() > 2003) __builtin_trap();
  return 0;
}
