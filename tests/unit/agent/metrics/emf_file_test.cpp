#include "agent/metrics/emf_file.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/emf_validator.hpp"
#include "tests/support/test_env.hpp"

using namespace fical::agent::metrics;
namespace proto = fical::proto;
using namespace std::chrono_literals;

namespace {

const proto::TimePoint kStart = *proto::parse_time("2026-01-01T00:00:00Z");

proto::Deployment ended(std::string id, proto::DeploymentState state) {
  proto::Deployment d;
  d.id = std::move(id);
  d.app = "web";
  d.env = "prod";
  d.version = "v7";
  d.state = state;
  d.created_at = kStart;
  d.ended_at = kStart + 9s;
  return d;
}

/// The file's lines, each parsed and checked against the EMF spec.
std::vector<nlohmann::json> emf_lines(const std::filesystem::path& path) {
  std::vector<nlohmann::json> records;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    records.push_back(nlohmann::json::parse(line));
    CHECK(fical::testing::emf_violations(records.back()).empty());
  }
  return records;
}

}  // namespace

TEST_CASE("emf file: one line per ended deployment, mode 0600", "[metrics][emf]") {
  fical::testing::TempDir tmp;
  std::vector<std::string> errors;
  EmfFile file(tmp.path() / "emf.log", "acme", [&](const std::string& e) { errors.push_back(e); });
  file.record(ended("d-1", proto::DeploymentState::succeeded));
  auto running = ended("d-2", proto::DeploymentState::running);
  running.ended_at.reset();
  file.record(running);
  file.record(ended("d-3", proto::DeploymentState::failed));

  auto records = emf_lines(tmp.path() / "emf.log");
  REQUIRE(records.size() == 2);
  CHECK(records[0]["DeploymentId"] == "d-1");
  CHECK(records[0]["DeploymentSucceeded"] == 1);
  CHECK(records[1]["DeploymentId"] == "d-3");
  CHECK(records[1]["DeploymentFailed"] == 1);
  CHECK(records[1]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "acme");
  struct stat info {};
  REQUIRE(::stat((tmp.path() / "emf.log").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(errors.empty());
}

TEST_CASE("emf file: rotates by size and every line stays whole", "[metrics][emf]") {
  fical::testing::TempDir tmp;
  EmfFile file(tmp.path() / "emf.log", "fical", nullptr, {1500, 1});
  for (int i = 0; i < 10; ++i) file.record(ended("d-" + std::to_string(i), proto::DeploymentState::succeeded));

  auto current = emf_lines(tmp.path() / "emf.log");
  auto previous = emf_lines(tmp.path() / "emf.log.1");
  CHECK_FALSE(std::filesystem::exists(tmp.path() / "emf.log.2"));
  REQUIRE_FALSE(current.empty());
  REQUIRE_FALSE(previous.empty());
  CHECK(current.back()["DeploymentId"] == "d-9");
  CHECK(std::filesystem::file_size(tmp.path() / "emf.log") <= 1500);
}

TEST_CASE("emf file: a failed write is reported, not thrown", "[metrics][emf]") {
  fical::testing::TempDir tmp;
  std::vector<std::string> errors;
  EmfFile file(tmp.path() / "missing-dir" / "emf.log", "fical", [&](const std::string& e) { errors.push_back(e); });
  CHECK_NOTHROW(file.record(ended("d-1", proto::DeploymentState::succeeded)));
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::Matchers::StartsWith("EMF file: ") && Catch::Matchers::Contains("missing-dir"));
}
