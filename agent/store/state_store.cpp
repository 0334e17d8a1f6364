#include "agent/store/state_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>

#include "agent/store/atomic_file.hpp"

namespace fical::agent::store {
namespace fs = std::filesystem;

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

StateStore::StateStore(fs::path state_dir) : dir_(std::move(state_dir)) {
  ensure_directory(dir_, 0700);
  for (const char* sub : {"envs", "deployments", "releases", "env-snapshots"}) ensure_directory(dir_ / sub, 0700);
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
}

StateStore::~StateStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::vector<std::string> StateStore::problems() const {
  std::lock_guard lock(mutex_);
  return problems_;
}

void StateStore::set_aside(const fs::path& path, const std::string& why) {
  auto aside = path.string() + ".corrupt-" + proto::format_time(proto::now_ms());
  std::error_code ec;
  fs::rename(path, aside, ec);
  std::lock_guard lock(mutex_);
  problems_.push_back(path.string() + ": " + why + "; moved to " + aside);
}

EnvState StateStore::load_env(const std::string& app, const std::string& env) {
  auto path = dir_ / "envs" / app / (env + ".json");
  auto text = read_file(path);
  if (!text) return {};
  try {
    return env_state_from_json(nlohmann::json::parse(*text));
  } catch (const std::exception& e) {
    set_aside(path, std::string("unreadable environment state (") + e.what() + ")");
    return {};
  }
}

void StateStore::save_env(const std::string& app, const std::string& env, const EnvState& state) {
  std::lock_guard lock(mutex_);
  ensure_directory(dir_ / "envs" / app, 0700);
  write_file_atomic(dir_ / "envs" / app / (env + ".json"), to_json(state).dump(2) + "\n", 0600);
}

void StateStore::save_deployment(const proto::Deployment& deployment) {
  auto text = proto::to_json(deployment).dump(2) + "\n";
  std::lock_guard lock(mutex_);
  write_file_atomic(dir_ / "deployments" / (deployment.id + ".json"), text, 0600);
}

std::optional<proto::Deployment> StateStore::load_deployment(const std::string& id) {
  auto path = dir_ / "deployments" / (id + ".json");
  auto text = read_file(path);
  if (!text) return std::nullopt;
  try {
    return proto::deployment_from_json(nlohmann::json::parse(*text));
  } catch (const std::exception& e) {
    set_aside(path, std::string("unreadable deployment record (") + e.what() + ")");
    return std::nullopt;
  }
}

std::vector<proto::Deployment> StateStore::load_deployments() {
  std::vector<proto::Deployment> all;
  for (const auto& entry : fs::directory_iterator(dir_ / "deployments")) {
    auto name = entry.path().filename().string();
    if (!entry.is_regular_file() || !name.ends_with(".json")) continue;
    if (auto d = load_deployment(name.substr(0, name.size() - 5))) all.push_back(std::move(*d));
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  return all;
}

std::vector<proto::Release> StateStore::load_releases(const std::string& app, const std::string& env) {
  auto path = dir_ / "releases" / app / (env + ".json");
  auto text = read_file(path);
  if (!text) return {};
  try {
    std::vector<proto::Release> releases;
    auto json = nlohmann::json::parse(*text);
    for (const auto& r : json.at("releases")) {
      releases.push_back(proto::release_from_json(r));
    }
    return releases;
  } catch (const std::exception& e) {
    set_aside(path, std::string("unreadable release history (") + e.what() + ")");
    return {};
  }
}

void StateStore::save_releases(const std::string& app, const std::string& env,
                               const std::vector<proto::Release>& releases) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : releases) list.push_back(proto::to_json(r));
  std::lock_guard lock(mutex_);
  ensure_directory(dir_ / "releases" / app, 0700);
  write_file_atomic(dir_ / "releases" / app / (env + ".json"),
                    nlohmann::json{{"releases", list}}.dump(2) + "\n", 0600);
}

}  // namespace fical::agent::store
