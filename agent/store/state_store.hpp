#pragma once
// fical's durable state, in one SQLite database state_dir/fical.db (schema.cpp):
//   deployments, events      each deployment, its events one row each (by deployment, seq)
//   releases                 release history per environment, oldest first
//   env_state                live release and color, the deployment in flight
//   env_snapshots            which env snapshot files exist; the files themselves (the
//                            variables' values) stay root-only under
//                            env-snapshots/{app}/{env}/{deployment_id}.json
//   audit                    the audit trail, in the order written (audit_trail.cpp)
//   maintenance              envs in maintenance mode, and meta's verify secret
//                            (env_maintenance.cpp)
//   canary_state             a canary in progress per environment (canary_store.cpp)
// Every multi-row change is one transaction, so a crash leaves all of it or none.
// Events and audit records are group-committed (write_queue.cpp): queued, then written by one
// commit thread in batches, each batch one transaction with synchronous=FULL; readers only
// ever see committed rows, and every synchronous write commits the queue before its own rows.
// A JSON state dir of fical before SQLite is imported on first start (json_import.cpp).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "proto/deployment.hpp"
#include "proto/release.hpp"

namespace fical::agent::store {

class Connection;

/// What is live in one environment and what is changing it.
struct EnvState {
  std::string live_color;              // "blue", "green", or empty before the first deploy
  std::optional<proto::Release> live;
  std::string in_flight_id;            // the running deployment, or empty
  std::string in_flight_color;         // the color it starts
  std::optional<proto::TimePoint> warm_until;  // keep_warm: the old color runs until then
  std::string warm_color;
};

/// An env in maintenance mode: what its page says, since when and who turned it on.
struct MaintenanceState {
  std::string message;
  std::int64_t retry_after_seconds = 600;
  proto::TimePoint since{};
  std::string by;  // the token id
};

/// A canary in progress in one environment (canary_store.cpp): which deployment, which
/// color is the canary, the step it is on and the weight nginx has, and the latest numbers.
struct CanaryState {
  std::string deployment_id;
  std::string canary_color, canary_version;
  std::string stable_color, stable_version;
  int step = 0;        // 0-based index into the plan's steps
  int steps = 0;       // how many steps the canary has (then 100%)
  int weight = 0;      // the canary's percent nginx has now
  std::int64_t step_length_ms = 0;
  proto::TimePoint step_started{};
  nlohmann::json verdict;  // the latest verdict_json of the step's window
  // What a restart needs to resume it (canary_resume.cpp): the release it would record, as
  // far as it is known before the switch (images, commit, env hash, secret versions).
  // Never in the API: publish_canary leaves it out of the record's analysis.
  std::optional<proto::Release> resume;
};
nlohmann::json to_json(const CanaryState& state);
CanaryState canary_state_from_json(const nlohmann::json& json);

/// How long deployment records (and their events) are kept: the newest `keep_deployments`
/// of each environment, and/or those younger than `keep_days` (0: no age limit). A deployment
/// that a release in the history refers to, or one still running, is never deleted.
struct Retention {
  std::size_t keep_deployments = 1000;
  int keep_days = 0;
  std::size_t keep_audit_records = 100000;  // the audit trail's own retention (0: no limit)
  int keep_audit_days = 365;
};

/// state_dir's file system has too little room to record a deployment (check_room()).
class StateDirFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What an import of a JSON state dir found and moved (see json_import.cpp).
struct ImportReport {
  std::size_t deployments = 0, events = 0, releases = 0, envs = 0, snapshots = 0, audit = 0;
  std::filesystem::path moved_to;
};

/// Reads and writes fical.db. Thread-safe: one writer connection behind a mutex; reads use
/// a pool of reader connections, which in WAL mode never block the writer nor wait for it.
class StateStore {
 public:
  /// Opens (creating, migrating, importing JSON state as needed) state_dir/fical.db and takes an
  /// exclusive lock on state_dir/agent.lock, which the kernel drops when the process dies.
  /// Throws when another agent holds it.
  explicit StateStore(std::filesystem::path state_dir);
  /// `fical-agent state check|dump|backup`, beside a running agent: readers only, no lock, no
  /// migration or import. Throws when there is no fical.db of this schema version.
  struct Inspect {};
  StateStore(std::filesystem::path state_dir, Inspect);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path db_path() const { return dir_ / "fical.db"; }

  /// Free space state_dir needs before a deployment starts (as preflight has long asked):
  /// its rows, events, env snapshot and the WAL's growth until a checkpoint. A full disk
  /// also fails a write cleanly (SQLITE_FULL, rolled back), but a write that fits in the
  /// WAL's old pages can still succeed: this refuses before anything changes.
  static constexpr std::uint64_t kMinFreeBytes = 64 * 1024 * 1024;
  /// Throws StateDirFull when state_dir has less than kMinFreeBytes free.
  void check_room() const;

  EnvState load_env(const std::string& app, const std::string& env);
  /// Counts the env state writes of this store (the agent's own): equal twice, no env
  /// state changed between. nullopt in a store that does not keep the env cache.
  std::optional<std::uint64_t> env_generation();
  void save_env(const std::string& app, const std::string& env, const EnvState& state);

  /// Writes the deployment row and replaces its events with deployment.events.
  void save_deployment(const proto::Deployment& deployment);
  /// Writes the deployment row and appends deployment.events[first...] (usually one event,
  /// or none), in one short transaction: an event costs one row, not a rewrite of the record.
  void append_events(const proto::Deployment& deployment, std::size_t first);

  // Group commit (write_queue.cpp). A ticket numbers a queued write; tickets commit in order.
  using Ticket = std::uint64_t;
  /// Queues what append_events writes for the commit thread and returns at once (no I/O):
  /// the row as of now and deployment.events[first...]. Durable once committed() >= the ticket.
  Ticket queue_events(const proto::Deployment& deployment, std::size_t first);
  /// Queues one audit record (the JSON object GET /v1/audit serves) written at `time`.
  /// Throws std::runtime_error when the queue is full (the disk has been failing for long).
  Ticket queue_audit(proto::TimePoint time, const nlohmann::json& record);
  /// The newest ticket whose write is committed (every earlier one is too).
  Ticket committed() const { return committed_.load(); }
  /// Waits until `ticket` is committed; false when `timeout` passed first (a failing disk).
  bool wait_committed(Ticket ticket, std::chrono::milliseconds timeout);
  /// Waits, at most `timeout`, until everything queued so far is committed.
  bool flush(std::chrono::milliseconds timeout);

  /// The newest `limit` audit records, oldest first, after waiting (at most 1 s) for the
  /// queued ones to commit.
  std::vector<nlohmann::json> recent_audit(std::size_t limit);
  /// Deletes at most `batch` audit records beyond the retention; returns how many.
  std::size_t prune_audit(const Retention& retention, std::size_t batch, proto::TimePoint now);
  std::optional<proto::Deployment> load_deployment(const std::string& id);
  /// The deployment without its events.
  std::optional<proto::Deployment> load_deployment_header(const std::string& id);
  /// Every deployment record with its events, oldest first (dump, tests; not for the API).
  std::vector<proto::Deployment> load_deployments();
  /// The newest `limit` deployments of one environment, newest first, without events.
  std::vector<proto::Deployment> deployments_of(const std::string& app, const std::string& env, std::size_t limit);
  /// Events of a deployment with seq >= from, in order.
  std::vector<proto::Event> events_from(const std::string& id, std::uint64_t from);
  /// Deployments not in a terminal state (a crash left them), with their events.
  std::vector<proto::Deployment> unfinished_deployments();
  /// The deployment (not a dry run) an idempotency key made in one environment.
  std::optional<std::string> find_idempotent(const std::string& app, const std::string& env, const std::string& key);

  // A canary in progress (canary_store.cpp): at most one per environment.
  void save_canary(const std::string& app, const std::string& env, const CanaryState& state);
  std::optional<CanaryState> load_canary(const std::string& app, const std::string& env);
  void clear_canary(const std::string& app, const std::string& env);

  std::vector<proto::Release> load_releases(const std::string& app, const std::string& env);
  void save_releases(const std::string& app, const std::string& env,
                     const std::vector<proto::Release>& releases);
  /// A release went live: appends it to the history and writes the env state in one
  /// transaction (its env snapshot, if any, is saved before).
  void record_release(const std::string& app, const std::string& env, const proto::Release& release,
                      const EnvState& state);

  // The env each release ran with (env_snapshots.cpp): env_file variables, root-only in
  // state_dir/env-snapshots/{app}/{env}/{deployment_id}.json, so a rollback can use them.
  using EnvVars = std::vector<std::pair<std::string, std::string>>;
  void save_env_snapshot(const std::string& app, const std::string& env, const std::string& deployment_id,
                         const EnvVars& variables);
  std::optional<EnvVars> load_env_snapshot(const std::string& app, const std::string& env,
                                           const std::string& deployment_id);
  /// Removes the snapshots of deployments not in `keep`.
  void prune_env_snapshots(const std::string& app, const std::string& env, const std::vector<std::string>& keep);
  /// A keyed hash (HMAC-SHA-256 under state_dir/env-hash.key, made once) of env_file text:
  /// tells two env files apart, and cannot be used to guess a secret offline.
  std::string env_fingerprint(std::string_view env_file_text);

  // Maintenance mode (env_maintenance.cpp).
  std::optional<MaintenanceState> load_maintenance(const std::string& app, const std::string& env);
  void save_maintenance(const std::string& app, const std::string& env, const MaintenanceState& state);
  void clear_maintenance(const std::string& app, const std::string& env);
  /// The secret fical's verify request passes maintenance pages with: 32 of [A-Za-z0-9],
  /// made at the first call and kept in fical.db's meta table (never in a dump or a log).
  std::string verify_secret();

  /// Deletes at most `batch` deployment records (with their events) that `retention` no longer
  /// keeps; returns how many. Small batches keep each write transaction short.
  std::size_t prune_deployments(const Retention& retention, std::size_t batch, proto::TimePoint now);
  /// Runs prune_deployments in a background thread every `interval` until destruction.
  void start_pruning(Retention retention, std::chrono::milliseconds interval = std::chrono::minutes(10));

  /// PRAGMA integrity_check and fical's invariants; empty when all hold.
  std::vector<std::string> check();
  /// Everything but the env snapshot values, as JSON (state dump).
  nlohmann::json dump();
  /// A consistent copy of the database, taken online (state backup).
  void backup(const std::filesystem::path& to);

  /// What the JSON import did at start, when there was one.
  const std::optional<ImportReport>& imported() const { return imported_; }
  /// Problems found (unreadable imported files) since start, as messages for logs and status.
  std::vector<std::string> problems() const;

 private:
  /// A reader connection borrowed from the pool, returned when the lease ends.
  class ReaderLease {
   public:
    ReaderLease(StateStore& store, std::unique_ptr<Connection> db);
    ~ReaderLease();
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Connection* operator->() { return db_.get(); }
    Connection& operator*() { return *db_; }

   private:
    StateStore& store_;
    std::unique_ptr<Connection> db_;
  };
  /// One queued write: a deployment row with its new events, or an audit record.
  struct QueuedWrite {
    Ticket ticket = 0;
    std::string id, app, env, state, idempotency_key, record;  // the row (id empty: none)
    std::int64_t created_at = 0;
    std::vector<std::pair<std::int64_t, std::string>> events;  // seq, body
    std::int64_t audit_time = 0;
    std::string audit;                                          // an audit record's body
  };
  ReaderLease reader();
  void add_problem(std::string message);
  void write_deployment_row(const proto::Deployment& d);
  void prune_loop(Retention retention, std::chrono::milliseconds interval);
  Ticket enqueue(QueuedWrite write);
  /// Runs `body` in one write transaction that first writes the queued writes, so a
  /// synchronous write never overtakes an earlier queued one. Takes mutex_.
  void write_with_queue(const std::function<void()>& body);
  /// The caller holds mutex_ inside a transaction: takes the queue and writes it.
  std::vector<QueuedWrite> write_queue_locked();
  void requeue_locked(std::vector<QueuedWrite> batch);
  void publish(const std::vector<QueuedWrite>& batch);
  void commit_loop();

  std::filesystem::path dir_;
  int lock_fd_ = -1;
  mutable std::mutex mutex_;  // the writer connection, problems_, env_hash_key_
  std::unique_ptr<Connection> writer_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  std::vector<std::string> problems_;
  std::string env_hash_key_;  // loaded (or made) at the first env_fingerprint()
  std::optional<ImportReport> imported_;
  std::mutex prune_mutex_;
  std::condition_variable prune_wake_;
  bool stopping_ = false;
  std::thread pruner_;
  std::mutex queue_mutex_;  // queue_, next_ticket_, stop_commits_; never held during I/O
  std::condition_variable queue_wake_;
  std::condition_variable committed_wake_;
  std::vector<QueuedWrite> queue_;
  Ticket next_ticket_ = 1;
  bool stop_commits_ = false;
  std::atomic<Ticket> committed_{0};
  std::thread committer_;
  // Env states as committed, kept by the agent's own store (the one writer), so status
  // requests read no row and parse no JSON. `env_generation_` counts writes: a read from
  // the database fills the cache only if no write happened meanwhile.
  bool cache_env_ = false;
  std::mutex env_cache_mutex_;
  std::map<std::pair<std::string, std::string>, EnvState> env_cache_;
  std::uint64_t env_generation_ = 0;
  void cache_env(const std::string& app, const std::string& env, const EnvState& state);
};

nlohmann::json to_json(const EnvState& state);
EnvState env_state_from_json(const nlohmann::json& json);

}  // namespace fical::agent::store
