// StateStore: the env each release ran with, and the keyed hash that tells env files apart.
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "agent/store/atomic_file.hpp"
#include "agent/store/digest.hpp"
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
    set_aside(path, std::string("unreadable env snapshot (") + e.what() + ")");
    return std::nullopt;
  }
}

void StateStore::prune_env_snapshots(const std::string& app, const std::string& env,
                                     const std::vector<std::string>& keep) {
  auto dir = dir_ / "env-snapshots" / app / env;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::lock_guard lock(mutex_);
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (!name.ends_with(".json")) continue;
    if (std::find(keep.begin(), keep.end(), name.substr(0, name.size() - 5)) == keep.end()) {
      fs::remove(entry.path(), ec);
    }
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
