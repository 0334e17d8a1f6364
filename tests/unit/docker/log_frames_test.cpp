#include "agent/docker/log_frames.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::docker;

namespace {

std::string frame(unsigned char stream, const std::string& payload) {
  auto n = payload.size();
  std::string header{static_cast<char>(stream), 0, 0, 0, static_cast<char>((n >> 24) & 0xff),
                     static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 8) & 0xff),
                     static_cast<char>(n & 0xff)};
  return header + payload;
}

std::vector<LogLine> demux_lines(const std::string& bytes, std::size_t step, bool timestamps) {
  FrameDemuxer frames;
  LineAssembler lines(timestamps);
  std::vector<LogLine> out;
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    for (const auto& f : frames.feed(std::string_view(bytes).substr(i, step))) {
      for (auto& l : lines.feed(f.stream, f.payload)) out.push_back(l);
    }
  }
  REQUIRE(frames.at_boundary());
  for (auto& l : lines.finish()) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("log frames: stdout and stderr demultiplexed, lines rebuilt across frames",
          "[docker]") {
  auto bytes = frame(1, "hello ") + frame(2, "oops\n") + frame(1, "world\nsecond") +
               frame(1, " line\r\n") + frame(1, "") + frame(2, "tail");
  for (std::size_t step = 1; step <= bytes.size(); ++step) {
    auto lines = demux_lines(bytes, step, false);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].stream == LogStream::err);
    CHECK(lines[0].text == "oops");
    CHECK(lines[1].stream == LogStream::out);
    CHECK(lines[1].text == "hello world");
    CHECK(lines[2].text == "second line");  // "\r" dropped
    CHECK(lines[3].stream == LogStream::err);
    CHECK(lines[3].text == "tail");
    CHECK_FALSE(lines[3].partial);
  }
}

TEST_CASE("log frames: timestamps are split off each line", "[docker]") {
  auto lines = demux_lines(frame(1, "2024-05-01T10:00:00.123456789Z migrate: done\n"), 3, true);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].timestamp == "2024-05-01T10:00:00.123456789Z");
  CHECK(lines[0].text == "migrate: done");
}

TEST_CASE("log frames: a bad header or an oversized frame is malformed", "[docker]") {
  FrameDemuxer bad_stream;
  CHECK_THROWS_AS(bad_stream.feed(std::string("\x07\0\0\0\0\0\0\x01x", 9)), DockerError);
  FrameDemuxer bad_padding;
  CHECK_THROWS_AS(bad_padding.feed(std::string("\x01\x01\0\0\0\0\0\x01x", 9)), DockerError);
  FrameDemuxer small(16);
  try {
    small.feed(frame(1, std::string(17, 'x')));
    FAIL("no error");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::malformed);
  }
  FrameDemuxer truncated;
  truncated.feed(frame(1, "abcdef").substr(0, 10));
  CHECK_FALSE(truncated.at_boundary());
}

TEST_CASE("log frames: a huge line comes out in bounded partial pieces", "[docker]") {
  LineAssembler lines(false, 10);
  auto out = lines.feed(LogStream::out, std::string(25, 'a') + "\nshort\n");
  REQUIRE(out.size() == 4);
  CHECK(out[0].text == std::string(10, 'a'));
  CHECK(out[0].partial);
  CHECK(out[1].partial);
  CHECK(out[2].text == std::string(5, 'a'));
  CHECK_FALSE(out[2].partial);
  CHECK(out[3].text == "short");
}
