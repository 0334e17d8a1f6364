// fical-state-bench: the state benchmark's helper (scripts/bench/state.sh).
//   fical-state-bench generate DIR N ENVS   N deployments (10-50 events each) across ENVS envs of app
//                                           "web" (e00, e01...), every 20th a release; one transaction
//   fical-state-bench events DIR COUNT      queues COUNT events of a new running deployment, then
//                                           appends up to 200 synchronously; prints p50 p99 (ms) of
//                                           the cost to the deploy, of queued-to-durable, and of a
//                                           synchronous append
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"

using namespace fical::agent::store;
using namespace fical::proto;

namespace {

std::string env_name(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "e%02d", i);
  return name;
}

int generate(const std::string& dir, int n, int envs) {
  { StateStore create(dir); }  // the schema
  Connection db(std::filesystem::path(dir) / "fical.db", Connection::Mode::read_write);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF");
  std::mt19937 random(42);
  std::uniform_int_distribution<int> event_count(10, 50);
  auto start = *parse_time("2025-01-01T00:00:00.000Z");
  Transaction tx(db);
  auto insert_d = db.prepare(
      "INSERT INTO deployments (id, app, env, created_at, state, idempotency_key, record) VALUES (?1, 'web', ?2, ?3, ?4, '', ?5)");
  auto insert_e = db.prepare("INSERT INTO events (deployment_id, seq, body) VALUES (?1, ?2, ?3)");
  auto insert_r = db.prepare("INSERT INTO releases (app, env, pos, deployment_id, body) VALUES ('web', ?1, ?2, ?3, ?4)");
  std::vector<int> positions(static_cast<std::size_t>(envs), 0);
  std::vector<std::optional<Release>> live(static_cast<std::size_t>(envs));
  for (int i = 0; i < n; ++i) {
    int e = i % envs;
    Deployment d;
    char id[40];
    std::snprintf(id, sizeof id, "2025%010d-%04x", i, static_cast<unsigned>(random() & 0xffff));
    d.id = id;
    d.app = "web";
    d.env = env_name(e);
    d.version = "v" + std::to_string(i);
    d.actor = "ci";
    d.state = i % 10 == 7 ? DeploymentState::failed : DeploymentState::succeeded;
    d.phase = Phase::done;
    d.created_at = start + std::chrono::minutes(i);
    d.ended_at = d.created_at + std::chrono::seconds(40);
    d.color = i % 2 ? "blue" : "green";
    d.phases = {{Phase::preflight, d.created_at, d.created_at + std::chrono::seconds(1)},
                {Phase::done, d.created_at + std::chrono::seconds(39), d.ended_at}};
    insert_d.reset();
    insert_d.bind(1, d.id).bind(2, d.env).bind(3, d.created_at.time_since_epoch().count())
        .bind(4, to_string(d.state)).bind(5, to_json(d, false).dump()).run();
    int count = event_count(random);
    for (int s = 0; s < count; ++s) {
      Event ev{static_cast<std::uint64_t>(s), d.created_at + std::chrono::seconds(s), Phase::health,
               EventLevel::info, "health: GET /health answered 200 (probe " + std::to_string(s) + ")",
               {{"status", 200}}};
      insert_e.reset();
      insert_e.bind(1, d.id).bind(2, s).bind(3, to_json(ev).dump()).run();
    }
    if ((i / envs) % 20 == 0 && d.state == DeploymentState::succeeded) {  // every 20th of an env
      Release r{d.version, d.color, {{"app", "127.0.0.1:5000/web:" + d.version, "", ""}}, "", d.id, "ci",
                *d.ended_at, "", {}, {}};
      insert_r.reset();
      insert_r.bind(1, d.env).bind(2, positions[static_cast<std::size_t>(e)]++).bind(3, d.id)
          .bind(4, to_json(r).dump()).run();
      live[static_cast<std::size_t>(e)] = r;
    }
  }
  for (int e = 0; e < envs; ++e) {
    EnvState s;
    if (auto& r = live[static_cast<std::size_t>(e)]) {
      s.live = r;
      s.live_color = r->color;
    }
    db.prepare("INSERT OR REPLACE INTO env_state (app, env, body) VALUES ('web', ?1, ?2)")
        .bind(1, env_name(e)).bind(2, to_json(s).dump()).run();
  }
  tx.commit();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return 0;
}

std::pair<double, double> p50_p99(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[ms.size() * 99 / 100]};
}

Deployment bench_deployment(StateStore& store, const std::string& tag) {
  Deployment d;
  d.id = "bench-events-" + tag + "-" + std::to_string(now_ms().time_since_epoch().count());
  d.app = "web";
  d.env = env_name(0);
  d.state = DeploymentState::running;
  d.created_at = now_ms();
  store.save_deployment(d);
  return d;
}

Event bench_event(std::size_t seq) {
  return {static_cast<std::uint64_t>(seq), now_ms(), Phase::pull, EventLevel::info, "pulling 127.0.0.1:5000/web:v2",
          {{"bytes", seq * 1000}}};
}

// What an event costs a running deploy (queue_events: no I/O), and how long until it is
// durable (committed, so served), with the deploy working 0.5 ms between events; then the
// synchronous append_events (one transaction and fsync per event) for comparison.
int events(const std::string& dir, int count) {
  using Clock = std::chrono::steady_clock;
  StateStore store(dir);
  auto d = bench_deployment(store, "queued");
  std::vector<double> queue_ms, durable_ms, sync_ms;
  std::vector<Clock::time_point> queued_at(static_cast<std::size_t>(count));
  std::vector<StateStore::Ticket> tickets(static_cast<std::size_t>(count));
  std::atomic<int> queued{0};
  std::thread watcher([&] {
    for (int i = 0; i < count; ++i) {
      while (queued.load() <= i) std::this_thread::yield();
      store.wait_committed(tickets[static_cast<std::size_t>(i)], std::chrono::seconds(30));
      durable_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - queued_at[static_cast<std::size_t>(i)]).count());
    }
  });
  for (int s = 0; s < count; ++s) {
    d.events.push_back(bench_event(static_cast<std::size_t>(s)));
    auto t0 = Clock::now();
    queued_at[static_cast<std::size_t>(s)] = t0;
    tickets[static_cast<std::size_t>(s)] = store.queue_events(d, d.events.size() - 1);
    queue_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    queued = s + 1;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  watcher.join();
  auto sync = bench_deployment(store, "sync");
  for (int s = 0; s < std::min(count, 200); ++s) {
    sync.events.push_back(bench_event(static_cast<std::size_t>(s)));
    auto t0 = Clock::now();
    store.append_events(sync, sync.events.size() - 1);
    sync_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  auto [q50, q99] = p50_p99(queue_ms);
  auto [d50, d99] = p50_p99(durable_ms);
  auto [s50, s99] = p50_p99(sync_ms);
  std::printf("%.3f %.3f %.2f %.2f %.2f %.2f\n", q50, q99, d50, d99, s50, s99);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 4 && args[0] == "generate") return generate(args[1], std::stoi(args[2]), std::stoi(args[3]));
  if (args.size() == 3 && args[0] == "events") return events(args[1], std::stoi(args[2]));
  std::fprintf(stderr, "usage: fical-state-bench generate DIR N ENVS | events DIR COUNT\n");
  return 2;
}
