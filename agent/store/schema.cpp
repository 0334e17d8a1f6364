#include "agent/store/schema.hpp"

#include <stdexcept>
#include <string>

#include "agent/store/sqlite.hpp"

namespace fical::agent::store {

// Never edit a migration once released: add a new one. Times are milliseconds since the epoch;
// `record`/`body` columns hold the proto JSON of the row (a deployment without its events).
const std::vector<std::string_view>& migrations() {
  static const std::vector<std::string_view> all{
      // 0 -> 1: the tables.
      R"(CREATE TABLE schema_version (version INTEGER NOT NULL);
         INSERT INTO schema_version VALUES (0);
         CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
         CREATE TABLE deployments (
           id TEXT PRIMARY KEY, app TEXT NOT NULL, env TEXT NOT NULL, created_at INTEGER NOT NULL,
           state TEXT NOT NULL, idempotency_key TEXT NOT NULL DEFAULT '', record TEXT NOT NULL);
         CREATE TABLE events (
           deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
           seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (deployment_id, seq)) WITHOUT ROWID;
         CREATE TABLE releases (
           app TEXT NOT NULL, env TEXT NOT NULL, pos INTEGER NOT NULL, deployment_id TEXT NOT NULL,
           body TEXT NOT NULL, PRIMARY KEY (app, env, pos)) WITHOUT ROWID;
         CREATE TABLE env_state (
           app TEXT NOT NULL, env TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (app, env)) WITHOUT ROWID;
         CREATE TABLE env_snapshots (
           app TEXT NOT NULL, env TEXT NOT NULL, deployment_id TEXT NOT NULL, saved_at INTEGER NOT NULL,
           PRIMARY KEY (app, env, deployment_id)) WITHOUT ROWID;)",
      // 1 -> 2: reads independent of history size: history by env and time, idempotency keys,
      // unfinished deployments, releases by deployment (retention).
      R"(CREATE INDEX deployments_by_env ON deployments (app, env, created_at, id);
         CREATE INDEX deployments_by_key ON deployments (app, env, idempotency_key, created_at) WHERE idempotency_key <> '';
         CREATE INDEX deployments_unfinished ON deployments (state) WHERE state IN ('pending', 'running');
         CREATE INDEX releases_by_deployment ON releases (deployment_id);)",
      // 2 -> 3: the audit trail (was state_dir/audit.log), in the order written, by time for
      // its retention. `body` is the record's JSON object as GET /v1/audit serves it.
      R"(CREATE TABLE audit (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, body TEXT NOT NULL);
         CREATE INDEX audit_by_time ON audit (time);)",
      // 3 -> 4: envs in maintenance mode (a row while on). The verify secret is meta's
      // 'verify_secret', made at first use.
      R"(CREATE TABLE maintenance (
           app TEXT NOT NULL, env TEXT NOT NULL, message TEXT NOT NULL, retry_after INTEGER NOT NULL,
           since INTEGER NOT NULL, started_by TEXT NOT NULL, PRIMARY KEY (app, env)) WITHOUT ROWID;)",
      // 4 -> 5: a canary in progress per environment (canary_store.cpp): step, weights,
      // colors, so a restart mid-canary can put traffic back safely. `body` is its JSON.
      R"(CREATE TABLE canary_state (
           app TEXT NOT NULL, env TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (app, env)) WITHOUT ROWID;)",
  };
  return all;
}

int current_schema_version() { return static_cast<int>(migrations().size()); }

int schema_version(Connection& db) {
  if (db.scalar_int("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'") == 0) return 0;
  return static_cast<int>(db.scalar_int("SELECT version FROM schema_version"));
}

void migrate_to(Connection& db, int version) {
  for (int v = schema_version(db); v < version; ++v) {
    Transaction tx(db);
    db.exec(migrations().at(static_cast<std::size_t>(v)));
    db.exec("UPDATE schema_version SET version = " + std::to_string(v + 1));
    tx.commit();
  }
}

void migrate(Connection& db) {
  auto found = schema_version(db);
  if (found > current_schema_version()) {
    throw std::runtime_error("fical.db has schema version " + std::to_string(found) + ", newer than this agent's " +
                             std::to_string(current_schema_version()) + ": run the newer agent");
  }
  migrate_to(db, current_schema_version());
}

}  // namespace fical::agent::store
