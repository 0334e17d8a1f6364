// Crash safety and a full disk, against a real fical.db: a child process writing events and
// releases is SIGKILLed at random points; a tmpfs state_dir fills up.
#include <poll.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "agent/deploy/deployment_log.hpp"
#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"
#include "tests/support/slowdown.hpp"
#include "tests/support/test_env.hpp"

using namespace fical::agent::store;
using namespace fical::proto;
namespace fs = std::filesystem;

namespace {

struct Ack {
  std::uint32_t kind;  // 1: event seq acknowledged, 2: releases acknowledged (count)
  std::uint32_t value;
};

Deployment crash_deployment(int run) {
  Deployment d;
  d.id = "crash-" + std::to_string(run);
  d.app = "web";
  d.env = "prod";
  d.version = "v" + std::to_string(run);
  d.state = DeploymentState::running;
  d.created_at = now_ms();
  return d;
}

/// The child: writes until killed, acknowledging each commit on `fd` after it returned.
[[noreturn]] void write_until_killed(const fs::path& dir, int run, int fd) {
  try {
    StateStore store(dir);
    auto d = crash_deployment(run);
    store.save_deployment(d);
    auto releases = store.load_releases("web", "prod").size();
    for (std::uint32_t seq = 0;; ++seq) {
      d.events.push_back({seq, now_ms(), Phase::health, EventLevel::info, "probe " + std::to_string(seq),
                          {{"status", 200}, {"padding", std::string(200, 'x')}}});
      store.append_events(d, d.events.size() - 1);
      Ack ack{1, seq};
      if (::write(fd, &ack, sizeof ack) != sizeof ack) ::_exit(3);
      if (seq % 4 == 3) {
        Release r{d.version + "." + std::to_string(seq), "blue", {}, "", d.id, "ci", now_ms(), "", {}, {}};
        EnvState state;
        state.live_color = "blue";
        state.live = r;
        store.record_release("web", "prod", r, state);
        Ack done{2, static_cast<std::uint32_t>(++releases)};
        if (::write(fd, &done, sizeof done) != sizeof done) ::_exit(3);
      }
    }
  } catch (...) {
    ::_exit(2);
  }
}

}  // namespace

TEST_CASE("a writer killed at random points loses no acknowledged write", "[store][sqlite][crash]") {
  fical::testing::TempDir tmp;
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> delay_us(200, 40000 * fical::testing::kSlowdown);
  std::map<int, std::uint32_t> acked_events;  // run -> events acknowledged
  std::uint32_t acked_releases = 0;
  constexpr int kRuns = 40;
  for (int run = 0; run < kRuns; ++run) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(fds[0]);
      write_until_killed(tmp.path(), run, fds[1]);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));  // killed while writing, not failed
    Ack ack{};
    while (::read(fds[0], &ack, sizeof ack) == sizeof ack) {
      if (ack.kind == 1) acked_events[run] = ack.value + 1;
      if (ack.kind == 2) acked_releases = std::max(acked_releases, ack.value);
    }
    ::close(fds[0]);

    StateStore store(tmp.path());
    INFO("run " << run);
    CHECK(store.check().empty());
    for (const auto& [r, count] : acked_events) {  // every run's acknowledged events, so far
      CHECK(store.events_from("crash-" + std::to_string(r), 0).size() >= count);
    }
    auto releases = store.load_releases("web", "prod");
    CHECK(releases.size() >= acked_releases);
    if (!releases.empty()) CHECK(store.load_env("web", "prod").live->version == releases.back().version);
    CHECK(store.unfinished_deployments().size() <= static_cast<std::size_t>(run + 1));
  }
  CHECK(acked_events.size() > kRuns / 4);  // the child got to write in many runs
}

namespace {

/// The child of the group-commit test: a DeploymentLog writes events (queued, group-committed)
/// and ends the deployment after `end_after` of them; a watcher thread acknowledges on `fd`
/// what an API client would have been shown: the events served and whether it had ended.
[[noreturn]] void deploy_until_killed(const fs::path& dir, int run, int end_after, int fd) {
  try {
    StateStore store(dir);
    fical::agent::deploy::DeploymentLog log(crash_deployment(run), store);
    std::atomic<bool> done{false};
    std::thread watcher([&] {
      std::uint32_t shown = 0;
      bool ended = false;
      while (!done) {
        auto page = log.events_since(shown);
        if (!page.events.empty() || (page.ended && !ended)) {
          shown += static_cast<std::uint32_t>(page.events.size());
          ended = page.ended;
          Ack ack{ended ? 3u : 1u, shown};
          if (::write(fd, &ack, sizeof ack) != sizeof ack) ::_exit(3);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(300));
      }
    });
    for (int i = 0;; ++i) {
      if (i == end_after) log.finish(DeploymentState::succeeded);
      if (i < end_after) log.info("probe " + std::to_string(i), {{"padding", std::string(200, 'x')}});
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  } catch (...) {
    ::_exit(2);
  }
}

}  // namespace

namespace {

/// What the parent has read of a child's acknowledgements so far.
struct Shown {
  std::uint32_t events = 0;
  bool ended = false;

  /// Reads acknowledgements until `enough` holds, the pipe closes or `limit` passes.
  bool read_until(int fd, const std::function<bool(const Shown&)>& enough, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!enough(*this)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      Ack ack{};
      if (::read(fd, &ack, sizeof ack) != sizeof ack) return false;
      events = ack.value;
      ended = ended || ack.kind == 3;
    }
    return true;
  }
};

}  // namespace

// The kill points follow the child's progress, not the clock, so a slow machine (or a
// sanitizer build) still kills in each stretch: anywhere from the start, after some events
// were shown, and just after the end was shown.
TEST_CASE("group commit: a deploy killed at random points loses nothing a watcher was shown",
          "[store][sqlite][crash][group-commit]") {
  fical::testing::TempDir tmp;
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> early_us(0, 20000);
  std::uniform_int_distribution<int> after_us(0, 3000);
  std::uniform_int_distribution<int> end_after(20, 200);
  const auto limit = std::chrono::seconds(10 * fical::testing::kSlowdown);
  constexpr int kRuns = 30;
  int shown_runs = 0, ended_runs = 0;
  for (int run = 0; run < kRuns; ++run) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    int ends = end_after(random);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(fds[0]);
      deploy_until_killed(tmp.path(), run, ends, fds[1]);
    }
    ::close(fds[1]);
    Shown shown;
    INFO("run " << run << " ending after " << ends << " events");
    switch (run % 3) {
      case 0:  // anywhere, even before the deployment was recorded
        std::this_thread::sleep_for(std::chrono::microseconds(early_us(random)));
        break;
      case 1: {  // while events are being shown
        auto some = std::uniform_int_distribution<std::uint32_t>(1, static_cast<std::uint32_t>(ends - 1))(random);
        CHECK(shown.read_until(fds[0], [&](const Shown& s) { return s.events >= some; }, limit));
        std::this_thread::sleep_for(std::chrono::microseconds(after_us(random)));
        break;
      }
      default:  // just after the end was shown
        CHECK(shown.read_until(fds[0], [](const Shown& s) { return s.ended; }, limit));
        std::this_thread::sleep_for(std::chrono::microseconds(after_us(random)));
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    shown.read_until(fds[0], [](const Shown&) { return false; }, std::chrono::seconds(5));  // to EOF
    ::close(fds[0]);
    shown_runs += shown.events > 0;
    ended_runs += shown.ended;

    StateStore store(tmp.path());
    INFO(shown.events << " events shown, ended shown " << shown.ended);
    CHECK(store.check().empty());
    auto stored = store.load_deployment("crash-" + std::to_string(run));
    if (!stored) {  // killed before the deployment was recorded: nothing was shown
      CHECK(shown.events == 0);
      CHECK_FALSE(shown.ended);
      continue;
    }
    CHECK(stored->events.size() >= shown.events);
    if (shown.ended) {
      CHECK(stored->state == DeploymentState::succeeded);
      CHECK(stored->events.size() == static_cast<std::size_t>(ends));
    }
  }
  CHECK(shown_runs >= kRuns * 2 / 3);  // every run that waited for the watcher
  CHECK(ended_runs >= kRuns / 3);
}

TEST_CASE("a full disk fails a write cleanly and the store recovers when space returns", "[store][sqlite][disk]") {
  if (::geteuid() != 0) {
    WARN("skipped: mounting a tmpfs needs root");
    return;
  }
  fical::testing::TempDir tmp;
  auto mnt = tmp.path() / "state";
  fs::create_directories(mnt);
  REQUIRE(::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=2m,mode=0700") == 0);
  struct Unmount {
    fs::path path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};
  std::uint32_t acked = 0;
  bool refused = false;
  {
    StateStore store(mnt);
    auto d = crash_deployment(0);
    store.save_deployment(d);
    {  // fill the disk
      std::ofstream filler(mnt / "filler", std::ios::binary);
      std::string block(64 * 1024, 'f');
      while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) && filler.flush()) {
      }
    }
    for (std::uint32_t seq = 0; seq < 20000 && !refused; ++seq) {
      d.events.push_back({seq, now_ms(), Phase::pull, EventLevel::info, std::string(500, 'e'), nullptr});
      try {
        store.append_events(d, d.events.size() - 1);
        acked = seq + 1;
      } catch (const SqliteError& e) {
        CHECK(e.disk_full());
        refused = true;
      }
    }
    REQUIRE(refused);
    CHECK(store.check().empty());
    CHECK(store.events_from(d.id, 0).size() == acked);
    // A new deployment is refused too, and leaves nothing behind.
    auto next = crash_deployment(1);
    next.events.assign(200, {0, now_ms(), Phase::pull, EventLevel::info, std::string(2000, 'n'), nullptr});
    for (std::uint64_t i = 0; i < next.events.size(); ++i) next.events[i].seq = i;
    CHECK_THROWS_AS(store.save_deployment(next), SqliteError);
    CHECK_FALSE(store.load_deployment(next.id));
    // What DeploymentManager::create relies on to refuse a deploy before anything runs.
    CHECK_THROWS_AS(store.check_room(), StateDirFull);
    CHECK_THROWS_AS(fical::agent::deploy::DeploymentLog(next, store), StateDirFull);
    CHECK_FALSE(store.load_deployment(next.id));
    fs::remove(mnt / "filler");  // space returns
    d.events.push_back({acked, now_ms(), Phase::pull, EventLevel::info, "after", nullptr});
    d.events.erase(d.events.begin() + acked, d.events.end() - 1);
    d.events.back().seq = acked;
    store.append_events(d, d.events.size() - 1);
    store.save_deployment(next);
    CHECK(store.check().empty());
  }
  StateStore store(mnt);
  CHECK(store.check().empty());
  CHECK(store.events_from("crash-0", 0).size() == acked + 1);
  CHECK(store.load_deployment("crash-1")->events.size() == 200);
}
