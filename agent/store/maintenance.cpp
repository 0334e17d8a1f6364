// StateStore: retention of deployment records, and the state check/dump of `fical-agent state`.
#include <spdlog/spdlog.h>

#include <limits>

#include "agent/store/schema.hpp"
#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::store {

std::size_t StateStore::prune_deployments(const Retention& retention, std::size_t batch, proto::TimePoint now) {
  if (retention.keep_deployments == 0 && retention.keep_days <= 0) return 0;
  std::vector<std::pair<std::string, std::string>> envs;
  {
    auto db = reader();
    auto rows = db->prepare("SELECT DISTINCT app, env FROM deployments");
    while (rows.step()) envs.emplace_back(rows.text(0), rows.text(1));
  }
  auto cutoff = retention.keep_days > 0
                    ? (now - std::chrono::hours(24) * retention.keep_days).time_since_epoch().count()
                    : std::int64_t{0};
  // keep_deployments 0: no count limit (LIMIT -1 OFFSET huge keeps all).
  auto keep = retention.keep_deployments > 0 ? static_cast<std::int64_t>(retention.keep_deployments)
                                             : std::numeric_limits<std::int64_t>::max();
  std::size_t deleted = 0;
  for (const auto& [app, env] : envs) {
    if (deleted >= batch) break;
    std::lock_guard lock(mutex_);
    Transaction tx(*writer_);
    std::vector<std::string> ids;
    {
      auto rows = writer_->prepare(
          "SELECT id FROM deployments d WHERE app = ?1 AND env = ?2 AND state NOT IN ('pending', 'running') "
          "AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.deployment_id = d.id) "
          "AND (created_at < ?3 OR id IN (SELECT id FROM deployments WHERE app = ?1 AND env = ?2 "
          "ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?4)) LIMIT ?5");
      rows.bind(1, app).bind(2, env).bind(3, cutoff).bind(4, keep).bind(5, static_cast<std::int64_t>(batch - deleted));
      while (rows.step()) ids.push_back(rows.text(0));
    }
    for (const auto& id : ids) {
      writer_->prepare("DELETE FROM events WHERE deployment_id = ?1").bind(1, id).run();
      writer_->prepare("DELETE FROM deployments WHERE id = ?1").bind(1, id).run();
    }
    tx.commit();
    deleted += ids.size();
  }
  return deleted;
}

void StateStore::start_pruning(Retention retention, std::chrono::milliseconds interval) {
  pruner_ = std::thread([this, retention, interval] { prune_loop(retention, interval); });
}

void StateStore::prune_loop(Retention retention, std::chrono::milliseconds interval) {
  constexpr std::size_t kBatch = 200;
  std::unique_lock lock(prune_mutex_);
  while (!stopping_) {
    lock.unlock();
    std::size_t total = 0, audit = 0;
    try {
      for (;;) {
        auto n = prune_deployments(retention, kBatch, proto::now_ms());
        auto a = prune_audit(retention, kBatch * 5, proto::now_ms());  // audit rows are small
        total += n;
        audit += a;
        if (n < kBatch && a < kBatch * 5) break;
        std::unique_lock pause(prune_mutex_);  // between batches, writers get the lock
        if (prune_wake_.wait_for(pause, std::chrono::milliseconds(50), [this] { return stopping_; })) return;
      }
    } catch (const std::exception& e) {
      spdlog::error("state: pruning old deployment records failed: {}", e.what());
    }
    if (total > 0) spdlog::info("state: pruned {} deployment records beyond the retention", total);
    if (audit > 0) spdlog::info("state: pruned {} audit records beyond the retention", audit);
    lock.lock();
    prune_wake_.wait_for(lock, interval, [this] { return stopping_; });
  }
}

std::vector<std::string> StateStore::check() {
  std::vector<std::string> problems;
  auto db = reader();
  ReadSnapshot snapshot(*db);
  {
    auto rows = db->prepare("PRAGMA integrity_check");
    while (rows.step()) {
      if (rows.text(0) != "ok") problems.push_back("integrity_check: " + rows.text(0));
    }
  }
  if (schema_version(*db) != current_schema_version()) {
    problems.push_back("schema version " + std::to_string(schema_version(*db)) + ", expected " +
                       std::to_string(current_schema_version()));
  }
  auto each = [&](const char* sql, auto report) {
    auto rows = db->prepare(sql);
    while (rows.step()) problems.push_back(report(rows));
  };
  each("SELECT DISTINCT deployment_id FROM events WHERE deployment_id NOT IN (SELECT id FROM deployments)",
       [](Statement& r) { return "events of a missing deployment " + r.text(0); });
  each("SELECT deployment_id, count(*), max(seq) FROM events GROUP BY deployment_id HAVING max(seq) + 1 <> count(*)",
       [](Statement& r) {
         return "deployment " + r.text(0) + ": " + std::to_string(r.integer(1)) + " events, last seq " +
                std::to_string(r.integer(2)) + " (a gap)";
       });
  {
    auto rows = db->prepare("SELECT id, app, env, state, record FROM deployments");
    while (rows.step()) {
      try {
        auto d = proto::deployment_from_json(nlohmann::json::parse(rows.text(4)));
        if (d.id != rows.text(0) || d.app != rows.text(1) || d.env != rows.text(2) ||
            proto::to_string(d.state) != rows.text(3)) {
          problems.push_back("deployment " + rows.text(0) + ": its record disagrees with its row");
        }
      } catch (const std::exception& e) {
        problems.push_back("deployment " + rows.text(0) + ": unreadable record (" + e.what() + ")");
      }
    }
  }
  each("SELECT id FROM audit WHERE NOT json_valid(body) OR json_type(body) <> 'object' "
       "OR json_extract(body, '$.time') IS NULL LIMIT 100",
       [](Statement& r) { return "audit record " + std::to_string(r.integer(0)) + ": not an audit record"; });
  {
    // The live release of an environment is the newest of its history.
    auto rows = db->prepare(
        "SELECT s.app, s.env, s.body, (SELECT body FROM releases r WHERE r.app = s.app AND r.env = s.env "
        "ORDER BY pos DESC LIMIT 1) FROM env_state s");
    while (rows.step()) {
      auto where = rows.text(0) + "/" + rows.text(1);
      try {
        auto state = env_state_from_json(nlohmann::json::parse(rows.text(2)));
        if (state.live && rows.is_null(3)) {
          problems.push_back(where + ": live release " + state.live->version + " is not in its release history");
        } else if (state.live &&
                   proto::release_from_json(nlohmann::json::parse(rows.text(3))).deployment_id !=
                       state.live->deployment_id) {
          problems.push_back(where + ": the live release is not the newest of its history");
        }
      } catch (const std::exception& e) {
        problems.push_back(where + ": unreadable env state (" + e.what() + ")");
      }
    }
  }
  return problems;
}

nlohmann::json StateStore::dump() {
  nlohmann::json out{{"schema_version", current_schema_version()}};
  auto& deployments = out["deployments"] = nlohmann::json::array();
  for (const auto& d : load_deployments()) deployments.push_back(proto::to_json(d));
  auto db = reader();
  auto& envs = out["environments"] = nlohmann::json::array();
  std::vector<std::pair<std::string, std::string>> names;
  {
    auto rows = db->prepare("SELECT app, env FROM env_state UNION SELECT app, env FROM releases ORDER BY 1, 2");
    while (rows.step()) names.emplace_back(rows.text(0), rows.text(1));
  }
  for (const auto& [app, env] : names) {
    nlohmann::json releases = nlohmann::json::array();
    for (const auto& r : load_releases(app, env)) releases.push_back(proto::to_json(r));
    nlohmann::json snapshots = nlohmann::json::array();
    auto rows = db->prepare("SELECT deployment_id FROM env_snapshots WHERE app = ?1 AND env = ?2 ORDER BY saved_at");
    rows.bind(1, app).bind(2, env);
    while (rows.step()) snapshots.push_back(rows.text(0));
    envs.push_back({{"app", app},
                    {"env", env},
                    {"state", to_json(load_env(app, env))},
                    {"releases", releases},
                    {"env_snapshots", snapshots}});
  }
  auto& audit = out["audit"] = nlohmann::json::array();
  auto rows = db->prepare("SELECT body FROM audit ORDER BY id");
  while (rows.step()) {
    if (auto record = nlohmann::json::parse(rows.text(0), nullptr, false); !record.is_discarded()) {
      audit.push_back(std::move(record));
    }
  }
  return out;
}

}  // namespace fical::agent::store
