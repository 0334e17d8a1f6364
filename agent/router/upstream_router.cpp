#include "agent/router/upstream_router.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "agent/router/maintenance.hpp"
#include "agent/store/atomic_file.hpp"

namespace fical::agent::router {

std::optional<std::string> UpstreamRouter::current(const UpstreamTarget& target) const {
  return store::read_file(dir_ / upstream_file_name(target));
}

std::optional<std::string> UpstreamRouter::current_file(const std::string& name) const {
  return store::read_file(dir_ / name);
}

int UpstreamRouter::write_missing(const std::vector<UpstreamTarget>& targets) {
  std::lock_guard lock(mutex_);
  int written = 0;
  for (const auto& target : targets) {
    if (current(target)) continue;
    store::write_file_atomic(dir_ / upstream_file_name(target), render_upstream(target));
    ++written;
  }
  return written;
}

int UpstreamRouter::write_missing(const std::vector<UpstreamFile>& files) {
  std::lock_guard lock(mutex_);
  int written = 0;
  for (const auto& file : files) {
    if (current_file(file.name)) continue;
    store::write_file_atomic(dir_ / file.name, file.text);
    ++written;
  }
  return written;
}

void UpstreamRouter::test_current() {
  std::lock_guard lock(mutex_);
  nginx_.test();
}

void UpstreamRouter::apply(const std::vector<UpstreamTarget>& targets) {
  std::lock_guard lock(mutex_);
  apply_locked(wanted_locked(targets));
}

void UpstreamRouter::apply_env(const EnvUpstreams& env) {
  std::lock_guard lock(mutex_);
  apply_locked(wanted_locked(env));
}

bool UpstreamRouter::refresh_env(const std::function<std::optional<EnvUpstreams>()>& decide) {
  std::lock_guard lock(mutex_);
  auto env = decide();
  if (!env) return false;
  return apply_if_differs_locked(wanted_locked(*env));
}

bool UpstreamRouter::refresh_files(const std::function<std::optional<std::vector<UpstreamFile>>()>& decide) {
  std::lock_guard lock(mutex_);
  auto wanted = decide();
  if (!wanted) return false;
  return apply_if_differs_locked(as_is(*wanted));
}

bool UpstreamRouter::refresh(const std::function<std::optional<std::vector<UpstreamTarget>>()>& decide) {
  std::lock_guard lock(mutex_);
  auto targets = decide();
  if (!targets) return false;
  return apply_if_differs_locked(wanted_locked(*targets));
}

bool UpstreamRouter::differs(const std::vector<UpstreamTarget>& targets) {
  std::lock_guard lock(mutex_);
  return differs_locked(wanted_locked(targets));
}

bool UpstreamRouter::apply_if_differs_locked(const Files& files) {
  if (!differs_locked(files)) return false;
  apply_locked(files);
  return true;
}

bool UpstreamRouter::differs_locked(const Files& files) const {
  for (const auto& [path, text] : files) {
    if (store::read_file(path) != text) return true;
  }
  return false;
}

UpstreamRouter::Files UpstreamRouter::as_is(const std::vector<UpstreamFile>& files) const {
  Files out;
  for (const auto& f : files) out.emplace_back(dir_ / f.name, f.text);
  return out;
}

UpstreamRouter::Files UpstreamRouter::wanted_locked(const EnvUpstreams& env) {
  auto files = as_is(env.common);
  if (!env.split.empty() && maintenance_.count({env.app, env.env}) == 0) {
    auto split = as_is(env.split);
    files.insert(files.end(), split.begin(), split.end());
    files.emplace_back(dir_ / maintenance_file_name(env.app, env.env), std::nullopt);
    return files;
  }
  auto plain = wanted_locked(env.targets);
  files.insert(files.end(), plain.begin(), plain.end());
  return files;
}

UpstreamRouter::Files UpstreamRouter::wanted_locked(const std::vector<UpstreamTarget>& targets) {
  Files files;
  // The envs in the order their first target comes, each with its targets.
  std::vector<std::pair<std::pair<std::string, std::string>, std::vector<const UpstreamTarget*>>> envs;
  for (const auto& t : targets) {
    auto key = std::make_pair(t.app, t.env);
    auto it = std::find_if(envs.begin(), envs.end(), [&](const auto& e) { return e.first == key; });
    if (it == envs.end()) it = envs.emplace(envs.end(), key, std::vector<const UpstreamTarget*>{});
    it->second.push_back(&t);
  }
  for (const auto& [key, env_targets] : envs) {
    auto maintenance_path = dir_ / maintenance_file_name(key.first, key.second);
    auto on = maintenance_.find(key);
    if (on == maintenance_.end()) {
      for (const auto* t : env_targets) files.emplace_back(dir_ / upstream_file_name(*t), render_upstream(*t));
      files.emplace_back(maintenance_path, std::nullopt);
      continue;
    }
    Maintenance m{key.first, key.second, on->second.message, on->second.retry_after,
                  maintenance_options_.page_file, maintenance_options_.verify_secret, {}};
    for (const auto* t : env_targets) {
      auto upstream = upstream_name(t->app, t->env, t->service);
      auto& address = maintenance_addresses_[upstream];
      if (address.empty() || address.substr(address.rfind(':') + 1) != std::to_string(maintenance_options_.port)) {
        std::set<std::string> taken;
        for (const auto& [name, other] : maintenance_addresses_) {
          if (name != upstream && !other.empty()) taken.insert(other);
        }
        address = maintenance_address(upstream, maintenance_options_.port, taken);
      }
      m.services.push_back({t->service, t->servers, address});
    }
    try {
      for (const auto& s : m.services) {
        UpstreamTarget named{key.first, key.second, s.service, {}, {}, {}, {}};
        files.emplace_back(dir_ / upstream_file_name(named), render_maintenance_upstream(m, s));
      }
      files.emplace_back(maintenance_path, render_maintenance_servers(m));
    } catch (const std::invalid_argument& e) {
      throw RouterError(key.first + "/" + key.second + ": cannot write its maintenance files: " + e.what());
    }
  }
  return files;
}

void UpstreamRouter::apply_locked(const Files& files) {
  std::vector<std::pair<std::filesystem::path, std::optional<std::string>>> previous;
  auto restore = [&] {
    for (const auto& [path, text] : previous) {
      if (text) {
        store::write_file_atomic(path, *text);
      } else {
        std::error_code ec;
        std::filesystem::remove(path, ec);
      }
    }
  };
  try {
    for (const auto& [path, text] : files) {
      previous.emplace_back(path, store::read_file(path));
      if (text) {
        store::write_file_atomic(path, *text);
      } else {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        if (ec) throw std::filesystem::filesystem_error("cannot remove", path, ec);
      }
    }
  } catch (const std::exception& e) {
    restore();
    throw RouterError(std::string("cannot write upstream files: ") + e.what());
  }
  try {
    nginx_.test();
  } catch (const RouterError& e) {
    restore();
    throw RouterError(std::string("nginx rejected the configuration, previous upstreams restored: ") + e.what());
  }
  try {
    nginx_.reload();
  } catch (const RouterError& e) {
    restore();
    throw RouterError(std::string("nginx did not reload, previous upstreams restored: ") + e.what());
  }
}

void UpstreamRouter::set_maintenance_options(MaintenanceOptions options) {
  std::lock_guard lock(mutex_);
  maintenance_options_ = std::move(options);
}

void UpstreamRouter::restore_maintenance(const std::string& app, const std::string& env, MaintenancePage page) {
  std::lock_guard lock(mutex_);
  maintenance_[{app, env}] = std::move(page);
}

void UpstreamRouter::start_maintenance(const std::string& app, const std::string& env, MaintenancePage page,
                                       const std::vector<UpstreamTarget>& targets) {
  switch_maintenance(app, env, std::move(page), targets);
}

void UpstreamRouter::end_maintenance(const std::string& app, const std::string& env,
                                     const std::vector<UpstreamTarget>& targets) {
  switch_maintenance(app, env, std::nullopt, targets);
}

void UpstreamRouter::switch_maintenance(const std::string& app, const std::string& env,
                                        std::optional<MaintenancePage> page,
                                        const std::vector<UpstreamTarget>& targets) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(app, env);
  std::optional<MaintenancePage> before;
  if (auto it = maintenance_.find(key); it != maintenance_.end()) before = it->second;
  auto addresses_before = maintenance_addresses_;
  auto set = [&](const std::optional<MaintenancePage>& p) {
    if (p) {
      maintenance_[key] = *p;
    } else {
      maintenance_.erase(key);
    }
  };
  set(page);
  try {
    auto files = wanted_locked(targets);
    if (!page) {
      for (const auto& t : targets) maintenance_addresses_.erase(upstream_name(t.app, t.env, t.service));
    }
    apply_locked(files);
  } catch (...) {
    set(before);
    maintenance_addresses_ = std::move(addresses_before);
    throw;
  }
}

bool UpstreamRouter::in_maintenance(const std::string& app, const std::string& env) {
  std::lock_guard lock(mutex_);
  return maintenance_.count({app, env}) > 0;
}

std::string UpstreamRouter::verify_secret() {
  std::lock_guard lock(mutex_);
  return maintenance_options_.verify_secret;
}

}  // namespace fical::agent::router
