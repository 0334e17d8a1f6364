#include "agent/store/json_lines_log.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "agent/store/atomic_file.hpp"
#include "tests/support/test_env.hpp"

using fical::agent::store::JsonLinesLog;
namespace fs = std::filesystem;

namespace {

std::size_t line_count(const fs::path& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

TEST_CASE("json lines log: one JSON line per record, mode 0600, read back oldest first", "[store][audit]") {
  fical::testing::TempDir tmp;
  JsonLinesLog log(tmp.path() / "audit.log");
  CHECK(log.tail(10).empty());
  for (int i = 0; i < 5; ++i) log.append({{"n", i}, {"text", "a \"quoted\"\nline"}});
  CHECK(line_count(log.path()) == 5);
  struct stat info {};
  REQUIRE(::stat(log.path().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  auto last = log.tail(3);
  REQUIRE(last.size() == 3);
  CHECK(last[0]["n"] == 2);
  CHECK(last[2]["n"] == 4);
  CHECK(last[2]["text"] == "a \"quoted\"\nline");
  CHECK(log.tail(100).size() == 5);
}

TEST_CASE("json lines log: rotates by size, keeps N old files, reads across them", "[store][audit]") {
  fical::testing::TempDir tmp;
  JsonLinesLog log(tmp.path() / "audit.log", {200, 2});
  for (int i = 0; i < 40; ++i) log.append({{"n", i}, {"pad", std::string(40, 'x')}});
  CHECK(fs::exists(tmp.path() / "audit.log"));
  CHECK(fs::exists(tmp.path() / "audit.log.1"));
  CHECK(fs::exists(tmp.path() / "audit.log.2"));
  CHECK_FALSE(fs::exists(tmp.path() / "audit.log.3"));
  for (std::size_t n = 0; n <= 2; ++n) CHECK(fs::file_size(log.rotated(n)) <= 200);
  auto all = log.tail(1000);
  REQUIRE(!all.empty());
  CHECK(all.back()["n"] == 39);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i]["n"].get<int>() == all[i - 1]["n"].get<int>() + 1);
  CHECK(all.size() < 40);  // the oldest went with the file beyond `keep`
  auto few = log.tail(4);
  REQUIRE(few.size() == 4);
  CHECK(few.front()["n"] == 36);
}

TEST_CASE("json lines log: a reopened log continues its size, and a torn last line is skipped", "[store][audit]") {
  fical::testing::TempDir tmp;
  auto path = tmp.path() / "audit.log";
  {
    JsonLinesLog log(path, {250, 1});
    for (int i = 0; i < 3; ++i) log.append({{"n", i}, {"pad", std::string(50, 'y')}});
  }
  fical::agent::store::append_line_durable(path, "{\"torn\": tr");
  JsonLinesLog again(path, {250, 1});
  auto read = again.tail(10);
  REQUIRE(read.size() == 3);
  again.append({{"n", 3}, {"pad", std::string(50, 'y')}});  // past 250 bytes: rotates first
  CHECK(fs::exists(again.rotated(1)));
  CHECK(line_count(path) == 1);
}

TEST_CASE("json lines log: concurrent appends keep every line whole", "[store][audit]") {
  fical::testing::TempDir tmp;
  JsonLinesLog log(tmp.path() / "audit.log", {1 << 20, 1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) log.append({{"t", t}, {"i", i}});
    });
  }
  for (auto& thread : threads) thread.join();
  auto all = log.tail(1000);
  REQUIRE(all.size() == 200);
  std::set<std::pair<int, int>> seen;
  for (const auto& r : all) seen.emplace(r["t"].get<int>(), r["i"].get<int>());
  CHECK(seen.size() == 200);
}
