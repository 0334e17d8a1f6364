// StateStore: the env each release ran with, and the keyed hash that tells env files apart.
// The values stay in root-only files; fical.db notes which snapshots exist.
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "agent/store/atomic_file.hpp"
#include "agent/store/digest.hpp"
#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::store {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kKeyBytes = 32;

}  // namespace

void StateStore::save_env_snapshot(const std::string& app, const std::string& env,
                                   const std::string& deployment_id, const EnvVars& variables) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [key, value] : variables) list.push_back({key, value});
  auto dir = dir_ / "env-snapshots" / app / env;
  std::lock_guard lock(mutex_);
  ensure_directory(dir, 0700);
  write_file_atomic(dir / (deployment_id + ".json"), nlohmann::json{{"variables", list}}.dump() + "\n", 0600);
  writer_->prepare("INSERT OR REPLACE INTO env_snapshots (app, env, deployment_id, saved_at) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, app)
      .bind(2, env)
      .bind(3, deployment_id)
      .bind(4, static_cast<std::int64_t>(proto::now_ms().time_since_epoch().count()))
      .run();
}

std::optional<StateStore::EnvVars> StateStore::load_env_snapshot(const std::string& app, const std::string& env,
                                                                 const std::string& deployment_id) {
  auto path = dir_ / "env-snapshots" / app / env / (deployment_id + ".json");
  auto text = read_file(path);
  if (!text) return std::nullopt;
  try {
    EnvVars variables;
    auto json = nlohmann::json::parse(*text);
    for (const auto& pair : json.at("variables")) {
      variables.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
    }
    return variables;
  } catch (const std::exception& e) {
    auto aside = path.string() + ".corrupt-" + proto::format_time(proto::now_ms());
    std::error_code ec;
    fs::rename(path, aside, ec);
    std::lock_guard lock(mutex_);
    add_problem(path.string() + ": unreadable env snapshot (" + e.what() + "); moved to " + aside);
    return std::nullopt;
  }
}

void StateStore::prune_env_snapshots(const std::string& app, const std::string& env,
                                     const std::vector<std::string>& keep) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> known;
  {
    auto rows = writer_->prepare("SELECT deployment_id FROM env_snapshots WHERE app = ?1 AND env = ?2");
    rows.bind(1, app).bind(2, env);
    while (rows.step()) known.push_back(rows.text(0));
  }
  auto dir = dir_ / "env-snapshots" / app / env;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {  // files without a row too (written before a crash)
    for (const auto& entry : fs::directory_iterator(dir)) {
      auto name = entry.path().filename().string();
      if (name.ends_with(".json")) known.push_back(name.substr(0, name.size() - 5));
    }
  }
  for (const auto& id : known) {
    if (std::find(keep.begin(), keep.end(), id) != keep.end()) continue;
    fs::remove(dir / (id + ".json"), ec);
    writer_->prepare("DELETE FROM env_snapshots WHERE app = ?1 AND env = ?2 AND deployment_id = ?3")
        .bind(1, app)
        .bind(2, env)
        .bind(3, id)
        .run();
  }
}

std::string StateStore::env_fingerprint(std::string_view env_file_text) {
  std::lock_guard lock(mutex_);
  if (env_hash_key_.empty()) {
    auto path = dir_ / "env-hash.key";
    auto existing = read_file(path);
    if (existing && existing->size() == kKeyBytes) {
      env_hash_key_ = *existing;
    } else {
      std::array<unsigned char, kKeyBytes> key{};
      if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) throw std::runtime_error("RAND_bytes failed");
      std::string bytes(key.begin(), key.end());
      write_file_atomic(path, bytes, 0600);
      env_hash_key_ = std::move(bytes);
    }
  }
  return hmac_sha256_hex(env_hash_key_, env_file_text);
}

}  // namespace fical::agent::store
