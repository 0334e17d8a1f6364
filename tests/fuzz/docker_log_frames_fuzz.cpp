// libFuzzer target: bytes as a container's multiplexed output (8-byte frame headers) and as
// raw TTY output. Fed whole and in pieces the results must agree, no line may exceed the
// limit, and only DockerError may escape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/docker/log_frames.hpp"

namespace {

using namespace fical::agent::docker;

constexpr std::size_t max_frame = 1 << 16;
constexpr std::size_t max_line = 256;

struct Outcome {
  bool ok = true;
  std::vector<std::string> lines;  // stream tag + text
};

Outcome demux(std::string_view data, std::size_t step, bool timestamps) {
  Outcome out;
  FrameDemuxer frames(max_frame);
  LineAssembler lines(timestamps, max_line);
  auto keep = [&](const std::vector<LogLine>& batch) {
    for (const auto& l : batch) {
      if (l.text.size() + l.timestamp.size() > max_line + 1) __builtin_trap();
      out.lines.push_back((l.stream == LogStream::out ? "1" : "2") + l.timestamp + "|" + l.text +
                          (l.partial ? "+" : ""));
    }
  };
  try {
    for (std::size_t i = 0; i < data.size(); i += step) {
      for (const auto& f : frames.feed(data.substr(i, step))) keep(lines.feed(f.stream, f.payload));
    }
    keep(lines.finish());
  } catch (const DockerError&) {
    out.ok = false;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  std::size_t step = 1 + bytes[0] % 61;
  bool timestamps = bytes[0] & 0x80;
  std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  auto whole = demux(data, data.size() + 1, timestamps);
  auto pieces = demux(data, step, timestamps);
  if (whole.ok != pieces.ok || (whole.ok && whole.lines != pieces.lines)) __builtin_trap();
  // Raw (TTY) output: never an error.
  LineAssembler raw(timestamps, max_line);
  for (std::size_t i = 0; i < data.size(); i += step) {
    for (const auto& l : raw.feed(LogStream::out, data.substr(i, step))) {
      if (l.text.size() + l.timestamp.size() > max_line + 1) __builtin_trap();
    }
  }
  raw.finish();
  return 0;
}
