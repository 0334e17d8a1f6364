#include <catch2/catch.hpp>
#include <sstream>

#include "client/plain_progress.hpp"
#include "client/report.hpp"
#include "client/tty_progress.hpp"
#include "tests/unit/client/sample_deployments.hpp"

using namespace fical::client;
using namespace fical::client::testing;
using fical::proto::DeploymentState;
using fical::proto::EventLevel;
using fical::proto::Phase;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

std::string play(ProgressView& view, const fical::proto::Deployment& final_record) {
  view.started(accepted_deployment());
  for (const auto& e : final_record.events) view.event(e);
  view.finished(final_record);
  return "";
}

fical::proto::Deployment failed_in_migrate(int noise_events, int log_lines) {
  auto events = successful_events();
  events.resize(11);  // resolve and the pull
  std::uint64_t seq = events.size();
  for (int i = 0; i < noise_events; ++i) {
    events.push_back(event(seq++, 20, Phase::pull, "layer " + std::to_string(i) + " " +
                                                       std::string(120, 'x'),
                           nullptr, EventLevel::warn));
  }
  nlohmann::json logs = nlohmann::json::array();
  for (int i = 0; i < log_lines; ++i) logs.push_back("alembic line " + std::to_string(i) + std::string(150, '.'));
  logs.push_back("sqlalchemy.exc.OperationalError: relation \"users\" does not exist");
  events.push_back(event(seq, 30, Phase::migrate, "migration exited with status 1",
                         {{"logs", logs}}, EventLevel::error));
  return ended(DeploymentState::failed, events, "migrate: exit status 1");
}

}  // namespace

TEST_CASE("plain output: one line per phase, pull at 25% steps, a summary", "[client][output]") {
  std::ostringstream out;
  PlainProgress view(out);
  play(view, ended(DeploymentState::succeeded, successful_events()));
  auto text = out.str();
  CHECK(text.find("22:03:13 deploy web/staging v3: deployment dep-42 started") == 0);
  CHECK(count(text, " pull: ") == 5);  // the phase's first line, then 25/50/75/100%
  CHECK(text.find("pull: 50% (10.0 MB of 20.0 MB)") != std::string::npos);
  CHECK(text.find("pull: 100% (20.0 MB of 20.0 MB)") != std::string::npos);
  CHECK(count(text, " health: ") == 1);  // two health events, one line
  CHECK(text.find("switch: nginx now points at green") != std::string::npos);
  CHECK(text.find("\r") == std::string::npos);
  CHECK(text.find("\033") == std::string::npos);
  auto last = text.substr(text.rfind('\n', text.size() - 2) + 1);
  CHECK(last == "OK web/staging: v3 is live (deploy dep-42, 38.0s)\n");
  CHECK(text.size() < 1200);  // a normal deploy stays compact for SSM
}

TEST_CASE("plain output of a failure puts the reason and the logs right after progress",
          "[client][output]") {
  std::ostringstream out;
  PlainProgress view(out);
  play(view, failed_in_migrate(0, 3));
  auto text = out.str();
  auto failed = text.find("FAILED: web/staging v3: migrate: exit status 1\n");
  REQUIRE(failed != std::string::npos);
  CHECK(text.find("last log lines (migrate):\n  | alembic line 0") > failed);
  CHECK(text.find("  | sqlalchemy.exc.OperationalError: relation \"users\" does not exist") !=
        std::string::npos);
  CHECK(text.find("FAILED web/staging: v3 failed in migrate; v2 still serves (deploy dep-42, 38.0s)") !=
        std::string::npos);
}

TEST_CASE("SSM budget: a long failing deployment shows result and reason in 2,500 chars",
          "[client][output][ssm]") {
  std::ostringstream out;
  PlainProgress view(out);
  play(view, failed_in_migrate(200, 80));
  auto text = out.str();
  CHECK(text.size() > 10'000);  // long, yet...
  auto window = text.substr(0, 2500);
  CHECK(window.find("FAILED: web/staging v3: migrate: exit status 1") != std::string::npos);
  CHECK(window.find("relation \"users\" does not exist") != std::string::npos);  // last log line
  CHECK(text.find("more progress lines left out") != std::string::npos);
  CHECK(text.rfind("FAILED web/staging: v3 failed in migrate") != std::string::npos);
}

TEST_CASE("SSM budget also holds for a timeout", "[client][output][ssm]") {
  std::ostringstream out;
  PlainProgress view(out);
  auto d = failed_in_migrate(200, 0);
  view.started(accepted_deployment());
  for (const auto& e : d.events) view.event(e);
  auto running = accepted_deployment();
  running.state = DeploymentState::running;
  running.phase = Phase::migrate;
  view.gave_up(running, "the --timeout of 15m passed");
  auto window = out.str().substr(0, 2500);
  CHECK(window.find("TIMED OUT: the --timeout of 15m passed; deploy dep-42") != std::string::npos);
  CHECK(window.find("fical-client wait dep-42") != std::string::npos);
}

TEST_CASE("failure block keeps the last log lines within its size", "[client][output]") {
  auto d = failed_in_migrate(0, 200);
  auto block = failure_block(d, 900);
  CHECK(block.size() <= 900);
  CHECK(block.find("relation \"users\" does not exist") != std::string::npos);
  CHECK(block.find("alembic line 0.") == std::string::npos);  // the oldest lines are cut
}

TEST_CASE("failure logs come from the failing event or its phase, not an earlier phase",
          "[client][output]") {
  auto events = successful_events();
  events.resize(11);
  events.push_back(event(11, 20, Phase::migrate, "migration done", {{"logs", {"migrate: done"}}}));
  events.push_back(event(12, 21, Phase::start, "started"));
  events.push_back(event(13, 22, Phase::health, "the agent stopped", nullptr, EventLevel::error));
  auto interrupted = ended(DeploymentState::interrupted, events, "the agent stopped");
  CHECK(failure_details(interrupted).log_lines.empty());
  CHECK(failure_block(interrupted, 900) == "FAILED: web/staging v3: the agent stopped\n");

  events.push_back(event(14, 23, Phase::health, "probe failed", {{"logs", "line 1\nline 2\n"}}));
  events.push_back(event(15, 24, Phase::health, "did not become healthy", nullptr, EventLevel::error));
  auto unhealthy = ended(DeploymentState::failed, events, "web did not become healthy");
  CHECK(failure_details(unhealthy).log_lines == std::vector<std::string>{"line 1", "line 2"});
  CHECK(failure_details(unhealthy).log_phase == "health");
}

TEST_CASE("control characters from logs are neutralised", "[client][output]") {
  CHECK(printable("ok\033[2Jgone\r\n", 80) == "ok?[2Jgone");
  CHECK(printable("nginx: [emerg] host not found\r\nnginx: test failed\n", 80) ==
        "nginx: [emerg] host not found\n    nginx: test failed");
  CHECK(printable("a\rb", 80) == "a?b");
  CHECK(printable(std::string(100, 'a'), 10) == "aaaaaaa...");
}

TEST_CASE("tty output redraws a status line with a pull bar", "[client][output][tty]") {
  std::ostringstream out;
  TtyProgress view(out, 100);
  play(view, ended(DeploymentState::succeeded, successful_events()));
  auto text = out.str();
  CHECK(text.find("\r\033[2K  ..   pull      [############------------]  50%  10.0 MB / 20.0 MB") !=
        std::string::npos);
  CHECK(text.find("  ok   pull      at 21.0s\n") != std::string::npos);
  CHECK(text.find("  ok   health    at ") != std::string::npos);
  CHECK(count(text, "  ok   health") == 1);
  CHECK(text.find("ok   done") == std::string::npos);
  CHECK(text.find("\r\033[2KOK web/staging: v3 is live (deploy dep-42, 38.0s)\n") != std::string::npos);
  for (auto pos = text.find("\r\033[2K"); pos != std::string::npos; pos = text.find("\r\033[2K", pos + 1)) {
    auto end = text.find_first_of("\r\n", pos + 5);
    CHECK(end - pos - 5 < 100);  // a status line never wraps
  }
}

TEST_CASE("tty output of a failure marks the phase and prints the reason", "[client][output][tty]") {
  std::ostringstream out;
  TtyProgress view(out, 80);
  play(view, failed_in_migrate(0, 2));
  auto text = out.str();
  CHECK(text.find("  ERR  migrate: migration exited with status 1\n") != std::string::npos);
  CHECK(text.find("  FAIL migrate   at 38.0s") != std::string::npos);
  CHECK(text.find("FAILED: web/staging v3: migrate: exit status 1") != std::string::npos);
}

TEST_CASE("plain output: each image of a pull gets its own 25% steps", "[client][output]") {
  std::ostringstream out;
  PlainProgress view(out);
  for (const char* image : {"r/api:v3", "r/web:v3"}) {
    for (int quarter = 1; quarter <= 3; ++quarter) {
      view.event(event(0, 0, Phase::pull, "pulling", {{"image", image}, {"bytes", quarter}, {"total", 4}}));
    }
  }
  CHECK(count(out.str(), "pull: 50% (2 B of 4 B)") == 2);
  CHECK(count(out.str(), "pull: ") == 6);
}

TEST_CASE("pull progress reads bytes and total", "[client][output]") {
  auto e = event(1, 0, Phase::pull, "p", {{"bytes", 5}, {"total", 20}});
  REQUIRE(pull_progress(e));
  CHECK(pull_progress(e)->percent() == 25);
  CHECK_FALSE(pull_progress(event(1, 0, Phase::start, "s", {{"bytes", 5}})));
  CHECK(progress_bar(45, 10) == "[####------]  45%");
  CHECK(format_bytes(999) == "999 B");
  CHECK(format_bytes(27'000'000) == "27.0 MB");
  CHECK(format_elapsed(std::chrono::milliseconds(252'000)) == "4m12s");
}

TEST_CASE("a rollback whose env_file changed says which env it runs with", "[client][output]") {
  auto d = accepted_deployment();
  d.kind = fical::proto::DeploymentKind::rollback;
  d.env_source = "recorded";
  std::ostringstream quiet;
  PlainProgress(quiet).started(d);
  CHECK(quiet.str().find("env_file") == std::string::npos);  // unchanged: nothing to say
  d.env_changed = true;
  std::ostringstream plain, tty;
  PlainProgress(plain).started(d);
  TtyProgress(tty, 200).started(d);
  for (const auto& text : {plain.str(), tty.str()}) {
    CHECK(text.find("the env_file changed since v3 ran; rolling back with the env it ran with "
                    "(--current-env uses today's)") != std::string::npos);
  }
  d.env_source = "current";
  std::ostringstream current;
  PlainProgress(current).started(d);
  CHECK(current.str().find("rolling back with today's (--current-env)") != std::string::npos);
}
