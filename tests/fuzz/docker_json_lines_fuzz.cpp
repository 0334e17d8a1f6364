// libFuzzer target: bytes as the daemon's JSON-lines streams (pull progress, build output,
// events). Fed whole and fed in pieces, the splitter must agree; every object goes through
// the progress, build and event parsers. Only DockerError may escape them.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "agent/docker/json_lines.hpp"
#include "agent/docker/parse.hpp"

namespace {

using namespace fical::agent::docker;

constexpr std::size_t max_line = 4096;

/// The objects of `data`, fed in pieces of `step` bytes; false when the stream was rejected.
bool split(std::string_view data, std::size_t step, std::vector<nlohmann::json>& out) {
  JsonLineSplitter splitter(max_line);
  try {
    for (std::size_t i = 0; i < data.size(); i += step) {
      for (auto& o : splitter.feed(data.substr(i, step))) out.push_back(std::move(o));
    }
    for (auto& o : splitter.finish()) out.push_back(std::move(o));
    return true;
  } catch (const DockerError&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  std::size_t step = 1 + bytes[0] % 97;
  std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  std::vector<nlohmann::json> whole, pieces;
  bool whole_ok = split(data, data.size() + 1, whole);
  bool pieces_ok = split(data, step, pieces);
  if (whole_ok != pieces_ok || (whole_ok && whole != pieces)) __builtin_trap();
  for (const auto& object : whole) {
    try {
      (void)parse::pull_progress(object);
    } catch (const DockerError&) {
    }
    try {
      (void)parse::build_output(object);
    } catch (const DockerError&) {
    }
    (void)parse::event(object);
  }
  return 0;
}
