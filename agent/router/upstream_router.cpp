#include "agent/router/upstream_router.hpp"

#include <utility>

#include "agent/store/atomic_file.hpp"

namespace fical::agent::router {

std::vector<UpstreamFile> files_of(const std::vector<UpstreamTarget>& targets) {
  std::vector<UpstreamFile> files;
  for (const auto& target : targets) files.push_back({upstream_file_name(target), render_upstream(target)});
  return files;
}

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

void UpstreamRouter::test_current() {
  std::lock_guard lock(mutex_);
  nginx_.test();
}

void UpstreamRouter::apply(const std::vector<UpstreamTarget>& targets) {
  std::lock_guard lock(mutex_);
  apply_locked(files_of(targets));
}

void UpstreamRouter::apply_files(const std::vector<UpstreamFile>& files) {
  std::lock_guard lock(mutex_);
  apply_locked(files);
}

bool UpstreamRouter::refresh_files(const std::function<std::optional<std::vector<UpstreamFile>>()>& decide) {
  std::lock_guard lock(mutex_);
  auto files = decide();
  if (!files) return false;
  bool differs = false;
  for (const auto& f : *files) differs = differs || current_file(f.name) != f.text;
  if (!differs) return false;
  apply_locked(*files);
  return true;
}

bool UpstreamRouter::refresh(const std::function<std::optional<std::vector<UpstreamTarget>>()>& decide) {
  std::lock_guard lock(mutex_);
  auto targets = decide();
  if (!targets) return false;
  bool differs = false;
  for (const auto& t : *targets) differs = differs || current(t) != render_upstream(t);
  if (!differs) return false;
  apply_locked(files_of(*targets));
  return true;
}

void UpstreamRouter::apply_locked(const std::vector<UpstreamFile>& files) {
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
    for (const auto& file : files) {
      auto path = dir_ / file.name;
      previous.emplace_back(path, store::read_file(path));
      store::write_file_atomic(path, file.text);
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

}  // namespace fical::agent::router
