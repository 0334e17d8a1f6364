#pragma once
// One bare mirror of an app's repository, kept with libgit2: fetch every branch and tag,
// resolve a version (tag, branch, full or short commit id) to a commit, export a tree.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "agent/config/config.hpp"

struct git_repository;

namespace fical::agent::source {

/// What a version resolved to.
struct Resolution {
  std::string commit;      // full 40-hex id
  std::string kind;        // "tag", "branch" or "commit"
  std::string moved_from;  // a tag that pointed elsewhere before this fetch: the old commit
  bool fetched = false;    // false when the commit was already in the mirror (full id)
};

/// A bare mirror under `dir` (created on first use) of `source.repo`. Holds the mirror
/// exclusively while it lives (a process-wide lock per directory), so two deployments of
/// one app never fetch at once. Throws SourceError; messages never hold credentials.
class GitMirror {
 public:
  GitMirror(std::filesystem::path dir, config::Source source);
  ~GitMirror();
  GitMirror(const GitMirror&) = delete;
  GitMirror& operator=(const GitMirror&) = delete;

  /// Fetches (all branches and tags, pruned) unless `ref` is a full commit id already
  /// here, then resolves it: a tag first, then a branch, then a commit id prefix.
  Resolution resolve(const std::string& ref);
  /// Fetches every branch and tag from the remote.
  void fetch();
  /// Writes the commit's tree into `target` (which must not exist): files, executables,
  /// symlinks; submodules are skipped. Returns the number of files written.
  std::size_t export_tree(const std::string& commit, const std::filesystem::path& target);

 private:
  Resolution resolve_here(const std::string& ref);

  std::filesystem::path dir_;
  config::Source source_;
  std::unique_lock<std::mutex> lock_;
  git_repository* repo_ = nullptr;
};

}  // namespace fical::agent::source
