#include "agent/store/state_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <system_error>

#include "agent/store/atomic_file.hpp"
#include "agent/store/json_import.hpp"
#include "agent/store/schema.hpp"
#include "agent/store/sqlite.hpp"

namespace fical::agent::store {
namespace fs = std::filesystem;

namespace {

std::int64_t millis(proto::TimePoint t) { return t.time_since_epoch().count(); }

proto::Deployment deployment_from_row(Statement& row, int column) {
  return proto::deployment_from_json(nlohmann::json::parse(row.text(column)));
}

void insert_event(Connection& db, const std::string& id, const proto::Event& event) {
  db.prepare("INSERT OR REPLACE INTO events (deployment_id, seq, body) VALUES (?1, ?2, ?3)")
      .bind(1, id)
      .bind(2, static_cast<std::int64_t>(event.seq))
      .bind(3, proto::to_json(event).dump())
      .run();
}

void upsert_env_state(Connection& db, const std::string& app, const std::string& env, const EnvState& state) {
  db.prepare("INSERT OR REPLACE INTO env_state (app, env, body) VALUES (?1, ?2, ?3)")
      .bind(1, app)
      .bind(2, env)
      .bind(3, to_json(state).dump())
      .run();
}

}  // namespace

nlohmann::json to_json(const EnvState& s) {
  nlohmann::json json{{"live_color", s.live_color},
                      {"live", s.live ? proto::to_json(*s.live) : nlohmann::json(nullptr)},
                      {"in_flight_id", s.in_flight_id},
                      {"in_flight_color", s.in_flight_color},
                      {"warm_color", s.warm_color}};
  if (s.warm_until) json["warm_until"] = proto::format_time(*s.warm_until);
  return json;
}

EnvState env_state_from_json(const nlohmann::json& json) {
  EnvState s;
  s.live_color = json.at("live_color").get<std::string>();
  if (const auto& live = json.at("live"); !live.is_null()) s.live = proto::release_from_json(live);
  s.in_flight_id = json.value("in_flight_id", "");
  s.in_flight_color = json.value("in_flight_color", "");
  s.warm_color = json.value("warm_color", "");
  if (json.contains("warm_until")) s.warm_until = proto::parse_time(json["warm_until"].get<std::string>());
  return s;
}

StateStore::ReaderLease::ReaderLease(StateStore& store, std::unique_ptr<Connection> db)
    : store_(store), db_(std::move(db)) {}

StateStore::ReaderLease::~ReaderLease() {
  std::lock_guard lock(store_.readers_mutex_);
  store_.idle_readers_.push_back(std::move(db_));
}

StateStore::ReaderLease StateStore::reader() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      auto db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(*this, std::move(db));
    }
  }
  auto db = std::make_unique<Connection>(db_path(), Connection::Mode::read_only);
  db->exec("PRAGMA cache_size = -512");  // 512 KiB per reader: the indexes do the work
  return ReaderLease(*this, std::move(db));
}

StateStore::StateStore(fs::path state_dir) : dir_(std::move(state_dir)) {
  ensure_directory(dir_, 0700);
  ensure_directory(dir_ / "env-snapshots", 0700);
  auto lock_path = dir_ / "agent.lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot open " + lock_path.string());
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    throw std::runtime_error("another fical-agent is using " + dir_.string() + " (" +
                             lock_path.string() + " is locked)");
  }
  try {
    // The database holds what the env snapshots' values do not: keep it root-only too.
    auto old_mask = ::umask(077);
    writer_ = std::make_unique<Connection>(db_path(), Connection::Mode::read_write);
    ::umask(old_mask);
    // WAL: readers see the last commit and never block the one writer. synchronous=FULL: every
    // commit fsyncs the WAL before it returns, so an acknowledged write (an event, a release,
    // an env state) survives a power cut; NORMAL would only keep the database uncorrupted and
    // could lose the last commits. The cost is one fsync per transaction, which is why events
    // and audit records are group-committed (write_queue.cpp) and never served before.
    writer_->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                  "PRAGMA cache_size = -2048");
    migrate(*writer_);
    auto problem = [this](std::string m) { add_problem(std::move(m)); };
    if (auto report = import_json_state(*writer_, dir_, problem)) imported_ = std::move(report);
    if (auto audit = import_audit_log(*writer_, dir_, imported_ ? imported_->moved_to : fs::path(), problem)) {
      if (!imported_) imported_.emplace().moved_to = audit->moved_to;
      imported_->audit = audit->audit;
    }
    committer_ = std::thread([this] { commit_loop(); });
    cache_env_ = true;  // this store is the one writer from here on
  } catch (...) {
    writer_.reset();
    ::close(lock_fd_);
    throw;
  }
}

StateStore::StateStore(fs::path state_dir, Inspect) : dir_(std::move(state_dir)) {
  if (!fs::exists(db_path())) throw std::runtime_error("no state database at " + db_path().string());
  auto db = reader();
  if (auto version = schema_version(*db); version != current_schema_version()) {
    throw std::runtime_error(db_path().string() + " has schema version " + std::to_string(version) +
                             "; this fical-agent reads version " + std::to_string(current_schema_version()) +
                             " (start the agent once to migrate it)");
  }
}

StateStore::~StateStore() {
  {
    std::lock_guard lock(prune_mutex_);
    stopping_ = true;
  }
  prune_wake_.notify_all();
  if (pruner_.joinable()) pruner_.join();
  {
    std::lock_guard lock(queue_mutex_);
    stop_commits_ = true;
  }
  queue_wake_.notify_all();
  if (committer_.joinable()) committer_.join();  // commits what is queued first
  idle_readers_.clear();
  writer_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::vector<std::string> StateStore::problems() const {
  std::lock_guard lock(mutex_);
  return problems_;
}

void StateStore::add_problem(std::string message) {
  // The caller holds mutex_, or is the constructor (no other thread has the store yet).
  problems_.push_back(std::move(message));
}

void StateStore::check_room() const {
  struct statvfs fs_info {};
  if (::statvfs(dir_.c_str(), &fs_info) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot stat the file system of " + dir_.string());
  }
  auto free = static_cast<std::uint64_t>(fs_info.f_bavail) * fs_info.f_frsize;
  if (free < kMinFreeBytes) {
    constexpr std::uint64_t kMiB = 1024 * 1024;
    throw StateDirFull("the state directory " + dir_.string() + " is full: " + std::to_string(free / kMiB) +
                       " MiB free, less than the " + std::to_string(kMinFreeBytes / kMiB) + " MiB a deployment needs");
  }
}

std::optional<std::uint64_t> StateStore::env_generation() {
  if (!cache_env_) return std::nullopt;
  std::lock_guard lock(env_cache_mutex_);
  return env_generation_;
}

EnvState StateStore::load_env(const std::string& app, const std::string& env) {
  std::uint64_t generation = 0;
  if (cache_env_) {
    std::lock_guard lock(env_cache_mutex_);
    if (auto it = env_cache_.find({app, env}); it != env_cache_.end()) return it->second;
    generation = env_generation_;
  }
  EnvState state;
  {
    auto db = reader();
    auto row = db->prepare("SELECT body FROM env_state WHERE app = ?1 AND env = ?2");
    row.bind(1, app).bind(2, env);
    if (row.step()) state = env_state_from_json(nlohmann::json::parse(row.text(0)));
  }
  if (cache_env_) {
    std::lock_guard lock(env_cache_mutex_);
    if (generation == env_generation_) env_cache_.emplace(std::make_pair(app, env), state);
  }
  return state;
}

void StateStore::cache_env(const std::string& app, const std::string& env, const EnvState& state) {
  if (!cache_env_) return;
  std::lock_guard lock(env_cache_mutex_);
  env_cache_[{app, env}] = state;
  ++env_generation_;
}

void StateStore::save_env(const std::string& app, const std::string& env, const EnvState& state) {
  write_with_queue([&] { upsert_env_state(*writer_, app, env, state); });
  cache_env(app, env, state);  // once committed
}

void StateStore::write_deployment_row(const proto::Deployment& d) {
  writer_->prepare("INSERT INTO deployments (id, app, env, created_at, state, idempotency_key, record) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET "
                   "state = excluded.state, record = excluded.record")
      .bind(1, d.id)
      .bind(2, d.app)
      .bind(3, d.env)
      .bind(4, millis(d.created_at))
      .bind(5, proto::to_string(d.state))
      .bind(6, d.idempotency_key)
      .bind(7, proto::to_json(d, false).dump())
      .run();
}

void StateStore::save_deployment(const proto::Deployment& deployment) {
  write_with_queue([&] {
    write_deployment_row(deployment);
    writer_->prepare("DELETE FROM events WHERE deployment_id = ?1").bind(1, deployment.id).run();
    for (const auto& e : deployment.events) insert_event(*writer_, deployment.id, e);
  });
}

void StateStore::append_events(const proto::Deployment& deployment, std::size_t first) {
  write_with_queue([&] {
    write_deployment_row(deployment);
    for (auto i = first; i < deployment.events.size(); ++i) insert_event(*writer_, deployment.id, deployment.events[i]);
  });
}

std::optional<proto::Deployment> StateStore::load_deployment(const std::string& id) {
  auto db = reader();
  ReadSnapshot snapshot(*db);  // the row and its events from one commit
  auto row = db->prepare("SELECT record FROM deployments WHERE id = ?1");
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  auto d = deployment_from_row(row, 0);
  auto events = db->prepare("SELECT body FROM events WHERE deployment_id = ?1 ORDER BY seq");
  events.bind(1, id);
  while (events.step()) d.events.push_back(proto::event_from_json(nlohmann::json::parse(events.text(0))));
  return d;
}

std::optional<proto::Deployment> StateStore::load_deployment_header(const std::string& id) {
  auto db = reader();
  auto row = db->prepare("SELECT record FROM deployments WHERE id = ?1");
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  return deployment_from_row(row, 0);
}

std::vector<proto::Deployment> StateStore::load_deployments() {
  std::vector<std::string> ids;
  {
    auto db = reader();
    auto rows = db->prepare("SELECT id FROM deployments ORDER BY created_at, id");
    while (rows.step()) ids.push_back(rows.text(0));
  }
  std::vector<proto::Deployment> all;
  for (const auto& id : ids) {
    if (auto d = load_deployment(id)) all.push_back(std::move(*d));
  }
  return all;
}

std::vector<proto::Deployment> StateStore::deployments_of(const std::string& app, const std::string& env,
                                                          std::size_t limit) {
  auto db = reader();
  auto rows = db->prepare(
      "SELECT record FROM deployments WHERE app = ?1 AND env = ?2 ORDER BY created_at DESC, id DESC LIMIT ?3");
  rows.bind(1, app).bind(2, env).bind(3, static_cast<std::int64_t>(limit));
  std::vector<proto::Deployment> newest;
  while (rows.step()) newest.push_back(deployment_from_row(rows, 0));
  return newest;
}

std::vector<proto::Event> StateStore::events_from(const std::string& id, std::uint64_t from) {
  auto db = reader();
  auto rows = db->prepare("SELECT body FROM events WHERE deployment_id = ?1 AND seq >= ?2 ORDER BY seq");
  rows.bind(1, id).bind(2, static_cast<std::int64_t>(from));
  std::vector<proto::Event> events;
  while (rows.step()) events.push_back(proto::event_from_json(nlohmann::json::parse(rows.text(0))));
  return events;
}

std::vector<proto::Deployment> StateStore::unfinished_deployments() {
  std::vector<std::string> ids;
  {
    auto db = reader();
    auto rows = db->prepare("SELECT id FROM deployments WHERE state IN ('pending', 'running') ORDER BY created_at");
    while (rows.step()) ids.push_back(rows.text(0));
  }
  std::vector<proto::Deployment> unfinished;
  for (const auto& id : ids) {
    if (auto d = load_deployment(id)) unfinished.push_back(std::move(*d));
  }
  return unfinished;
}

std::optional<std::string> StateStore::find_idempotent(const std::string& app, const std::string& env,
                                                       const std::string& key) {
  if (key.empty()) return std::nullopt;
  auto db = reader();
  auto row = db->prepare(
      "SELECT id FROM deployments WHERE app = ?1 AND env = ?2 AND idempotency_key = ?3 AND idempotency_key <> '' "
      "AND json_extract(record, '$.dry_run') IS NOT 1 ORDER BY created_at DESC LIMIT 1");
  row.bind(1, app).bind(2, env).bind(3, key);
  if (!row.step()) return std::nullopt;
  return row.text(0);
}

std::vector<proto::Release> StateStore::load_releases(const std::string& app, const std::string& env) {
  auto db = reader();
  auto rows = db->prepare("SELECT body FROM releases WHERE app = ?1 AND env = ?2 ORDER BY pos");
  rows.bind(1, app).bind(2, env);
  std::vector<proto::Release> releases;
  while (rows.step()) releases.push_back(proto::release_from_json(nlohmann::json::parse(rows.text(0))));
  return releases;
}

namespace {

void insert_release(Connection& db, const std::string& app, const std::string& env, std::int64_t pos,
                    const proto::Release& r) {
  db.prepare("INSERT INTO releases (app, env, pos, deployment_id, body) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, app)
      .bind(2, env)
      .bind(3, pos)
      .bind(4, r.deployment_id)
      .bind(5, proto::to_json(r).dump())
      .run();
}

}  // namespace

void StateStore::save_releases(const std::string& app, const std::string& env,
                               const std::vector<proto::Release>& releases) {
  write_with_queue([&] {
    writer_->prepare("DELETE FROM releases WHERE app = ?1 AND env = ?2").bind(1, app).bind(2, env).run();
    std::int64_t pos = 0;
    for (const auto& r : releases) insert_release(*writer_, app, env, pos++, r);
  });
}

void StateStore::record_release(const std::string& app, const std::string& env, const proto::Release& release,
                                const EnvState& state) {
  write_with_queue([&] {
    auto next = writer_->prepare("SELECT coalesce(max(pos) + 1, 0) FROM releases WHERE app = ?1 AND env = ?2");
    next.bind(1, app).bind(2, env);
    next.step();
    insert_release(*writer_, app, env, next.integer(0), release);
    upsert_env_state(*writer_, app, env, state);
  });
  cache_env(app, env, state);
}

void StateStore::backup(const fs::path& to) {
  auto db = reader();
  backup_database(*db, to);
}

}  // namespace fical::agent::store
