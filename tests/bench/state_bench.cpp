// fical-state-bench: the state benchmark's helper (scripts/bench/state.sh).
//   fical-state-bench generate DIR N ENVS   N deployments (10-50 events each) across ENVS envs of app
//                                           "web" (e00, e01...), every 20th a release; one transaction
//   fical-state-bench events DIR COUNT      appends COUNT events to a new running deployment and
//                                           prints the p50/p99/mean of one append in ms
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
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

int events(const std::string& dir, int count) {
  StateStore store(dir);
  Deployment d;
  d.id = "bench-events-" + std::to_string(now_ms().time_since_epoch().count());
  d.app = "web";
  d.env = env_name(0);
  d.state = DeploymentState::running;
  d.created_at = now_ms();
  store.save_deployment(d);
  std::vector<double> ms;
  for (int s = 0; s < count; ++s) {
    d.events.push_back({static_cast<std::uint64_t>(s), now_ms(), Phase::pull, EventLevel::info,
                        "pulling 127.0.0.1:5000/web:v2", {{"bytes", s * 1000}}});
    auto t0 = std::chrono::steady_clock::now();
    store.append_events(d, d.events.size() - 1);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  double mean = 0;
  for (double x : ms) mean += x / static_cast<double>(ms.size());
  std::sort(ms.begin(), ms.end());
  std::printf("%.3f %.3f %.3f\n", ms[ms.size() / 2], ms[ms.size() * 99 / 100], mean);
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
