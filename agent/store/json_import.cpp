#include "agent/store/json_import.hpp"

#include <spdlog/spdlog.h>

#include <iterator>

#include "agent/store/atomic_file.hpp"
#include "agent/store/sqlite.hpp"

namespace fical::agent::store {
namespace fs = std::filesystem;

namespace {

constexpr const char* kJsonDirs[] = {"deployments", "envs", "releases"};

std::optional<nlohmann::json> parse_file(const fs::path& path, const std::function<void(std::string)>& problem) {
  try {
    auto text = read_file(path);
    if (!text) return std::nullopt;
    return nlohmann::json::parse(*text);
  } catch (const std::exception& e) {
    problem(path.string() + ": not imported, unreadable (" + e.what() + ")");
    return std::nullopt;
  }
}

/// {app}/{env}.json files under `dir`: calls `each(app, env, json)`.
template <typename Each>
void each_env_file(const fs::path& dir, const std::function<void(std::string)>& problem, Each each) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& app : fs::directory_iterator(dir)) {
    if (!app.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(app.path())) {
      auto name = file.path().filename().string();
      if (!file.is_regular_file() || !name.ends_with(".json")) continue;
      if (auto json = parse_file(file.path(), problem)) {
        try {
          each(app.path().filename().string(), name.substr(0, name.size() - 5), *json);
        } catch (const nlohmann::json::exception& e) {
          problem(file.path().string() + ": not imported, unreadable (" + e.what() + ")");
        }
      }
    }
  }
}

std::int64_t count(Connection& db, const char* table) {
  return db.scalar_int(std::string("SELECT count(*) FROM ") + table);
}

fs::path new_import_dir(const fs::path& state_dir) {
  auto date = proto::format_time(proto::now_ms()).substr(0, 10);
  auto target = state_dir / ("imported-" + date);
  for (int n = 2; fs::exists(target); ++n) target = state_dir / ("imported-" + date + "." + std::to_string(n));
  ensure_directory(target, 0700);
  return target;
}

/// audit.log.N .. audit.log.1, audit.log: the files of the JSON-lines audit log, oldest first.
std::vector<fs::path> audit_log_files(const fs::path& state_dir) {
  std::vector<fs::path> files;
  for (int n = 1; fs::exists(state_dir / ("audit.log." + std::to_string(n))); ++n) {
    files.insert(files.begin(), state_dir / ("audit.log." + std::to_string(n)));
  }
  if (fs::exists(state_dir / "audit.log")) files.push_back(state_dir / "audit.log");
  return files;
}

}  // namespace

std::optional<ImportReport> import_json_state(Connection& db, const fs::path& state_dir,
                                              const std::function<void(std::string)>& problem) {
  bool any = false;
  for (const char* sub : kJsonDirs) any = any || fs::is_directory(state_dir / sub);
  if (!any) return std::nullopt;
  ImportReport report;
  // The import is committed with a marker: a crash before the directories moved must not import twice.
  bool already = db.scalar_text("SELECT value FROM meta WHERE key = 'json_imported'").has_value();
  if (!already) {
    Transaction tx(db);
    std::error_code ec;
    if (fs::is_directory(state_dir / "deployments", ec)) {
      for (const auto& file : fs::directory_iterator(state_dir / "deployments")) {
        auto name = file.path().filename().string();
        if (!file.is_regular_file() || !name.ends_with(".json")) continue;
        auto json = parse_file(file.path(), problem);
        if (!json) continue;
        proto::Deployment d;
        try {
          d = proto::deployment_from_json(*json);
        } catch (const nlohmann::json::exception& e) {
          problem(file.path().string() + ": not imported, unreadable (" + e.what() + ")");
          continue;
        }
        db.prepare("INSERT INTO deployments (id, app, env, created_at, state, idempotency_key, record) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .bind(1, d.id)
            .bind(2, d.app)
            .bind(3, d.env)
            .bind(4, static_cast<std::int64_t>(d.created_at.time_since_epoch().count()))
            .bind(5, proto::to_string(d.state))
            .bind(6, d.idempotency_key)
            .bind(7, proto::to_json(d, false).dump())
            .run();
        for (const auto& e : d.events) {
          db.prepare("INSERT INTO events (deployment_id, seq, body) VALUES (?1, ?2, ?3)")
              .bind(1, d.id)
              .bind(2, static_cast<std::int64_t>(e.seq))
              .bind(3, proto::to_json(e).dump())
              .run();
        }
        ++report.deployments;
        report.events += d.events.size();
      }
    }
    each_env_file(state_dir / "envs", problem, [&](const std::string& app, const std::string& env, const auto& json) {
      auto state = env_state_from_json(json);  // validates before the insert
      db.prepare("INSERT INTO env_state (app, env, body) VALUES (?1, ?2, ?3)")
          .bind(1, app)
          .bind(2, env)
          .bind(3, to_json(state).dump())
          .run();
      ++report.envs;
    });
    each_env_file(state_dir / "releases", problem, [&](const std::string& app, const std::string& env, const auto& json) {
      std::vector<proto::Release> releases;
      for (const auto& r : json.at("releases")) releases.push_back(proto::release_from_json(r));
      std::int64_t pos = 0;
      for (const auto& r : releases) {
        db.prepare("INSERT INTO releases (app, env, pos, deployment_id, body) VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind(1, app)
            .bind(2, env)
            .bind(3, pos++)
            .bind(4, r.deployment_id)
            .bind(5, proto::to_json(r).dump())
            .run();
      }
      report.releases += releases.size();
    });
    // Snapshot files stay where they are; the database notes them.
    auto snapshots = state_dir / "env-snapshots";
    if (fs::is_directory(snapshots, ec)) {
      for (const auto& file : fs::recursive_directory_iterator(snapshots)) {
        auto name = file.path().filename().string();
        auto rel = file.path().lexically_relative(snapshots);
        if (!file.is_regular_file() || !name.ends_with(".json") || std::distance(rel.begin(), rel.end()) != 3) continue;
        auto it = rel.begin();
        auto app = (it++)->string();
        auto env = (it++)->string();
        db.prepare("INSERT OR REPLACE INTO env_snapshots (app, env, deployment_id, saved_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(1, app)
            .bind(2, env)
            .bind(3, name.substr(0, name.size() - 5))
            .bind(4, static_cast<std::int64_t>(proto::now_ms().time_since_epoch().count()))
            .run();
        ++report.snapshots;
      }
    }
    auto deployments = count(db, "deployments"), events = count(db, "events"), releases = count(db, "releases"),
         envs = count(db, "env_state");
    if (deployments != static_cast<std::int64_t>(report.deployments) ||
        events != static_cast<std::int64_t>(report.events) ||
        releases != static_cast<std::int64_t>(report.releases) || envs != static_cast<std::int64_t>(report.envs)) {
      throw std::runtime_error("import of the JSON state in " + state_dir.string() +
                               " does not add up (rows: " + std::to_string(deployments) + " deployments, " +
                               std::to_string(events) + " events, " + std::to_string(releases) + " releases, " +
                               std::to_string(envs) + " envs; files: " + std::to_string(report.deployments) + ", " +
                               std::to_string(report.events) + ", " + std::to_string(report.releases) + ", " +
                               std::to_string(report.envs) + "); nothing was changed");
    }
    db.prepare("INSERT INTO meta (key, value) VALUES ('json_imported', ?1)")
        .bind(1, nlohmann::json{{"deployments", report.deployments},
                                {"events", report.events},
                                {"releases", report.releases},
                                {"envs", report.envs},
                                {"snapshots", report.snapshots}}
                     .dump())
        .run();
    tx.commit();
  } else {
    auto counts = nlohmann::json::parse(*db.scalar_text("SELECT value FROM meta WHERE key = 'json_imported'"));
    report.deployments = counts.value("deployments", 0u);
    report.events = counts.value("events", 0u);
    report.releases = counts.value("releases", 0u);
    report.envs = counts.value("envs", 0u);
    report.snapshots = counts.value("snapshots", 0u);
  }
  auto target = new_import_dir(state_dir);
  for (const char* sub : kJsonDirs) {
    if (fs::is_directory(state_dir / sub)) fs::rename(state_dir / sub, target / sub);
  }
  report.moved_to = target;
  spdlog::warn("state: imported the JSON state into {} ({} deployments, {} events, {} releases, {} environments, "
               "{} env snapshots); the old files are kept in {}",
               (state_dir / "fical.db").string(), report.deployments, report.events, report.releases, report.envs,
               report.snapshots, target.string());
  return report;
}

std::optional<ImportReport> import_audit_log(Connection& db, const fs::path& state_dir, const fs::path& moved_to,
                                             const std::function<void(std::string)>& problem) {
  auto files = audit_log_files(state_dir);
  if (files.empty()) return std::nullopt;
  ImportReport report;
  if (auto done = db.scalar_text("SELECT value FROM meta WHERE key = 'audit_imported'")) {
    report.audit = nlohmann::json::parse(*done).value("records", 0u);  // a crash before the files moved
  } else {
    Transaction tx(db);
    auto insert = db.prepare("INSERT INTO audit (time, body) VALUES (?1, ?2)");
    std::size_t skipped = 0;
    for (const auto& file : files) {
      auto text = read_file(file).value_or("");
      std::size_t start = 0;
      while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        auto record = nlohmann::json::parse(text.begin() + static_cast<std::ptrdiff_t>(start),
                                            text.begin() + static_cast<std::ptrdiff_t>(end), nullptr, false);
        start = end + 1;
        std::optional<proto::TimePoint> time;
        if (record.is_object() && record.contains("time") && record["time"].is_string()) {
          time = proto::parse_time(record["time"].get<std::string>());
        }
        if (!time) {
          ++skipped;
          continue;
        }
        insert.reset();
        insert.bind(1, static_cast<std::int64_t>(time->time_since_epoch().count()))
            .bind(2, record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
            .run();
        ++report.audit;
      }
    }
    if (skipped > 0) {
      problem(std::to_string(skipped) + " lines of " + (state_dir / "audit.log").string() +
              " were not imported (torn or not an audit record)");
    }
    db.prepare("INSERT INTO meta (key, value) VALUES ('audit_imported', ?1)")
        .bind(1, nlohmann::json{{"records", report.audit}}.dump())
        .run();
    tx.commit();
  }
  auto target = moved_to.empty() ? new_import_dir(state_dir) : moved_to;
  for (const auto& file : files) fs::rename(file, target / file.filename());
  report.moved_to = target;
  spdlog::warn("state: imported the audit log {} ({} records) into {}; the old files are kept in {}",
               (state_dir / "audit.log").string(), report.audit, (state_dir / "fical.db").string(), target.string());
  return report;
}

}  // namespace fical::agent::store
