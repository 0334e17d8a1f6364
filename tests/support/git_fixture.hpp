#pragma once
// Bare git repositories for tests, made with libgit2 (no git CLI): commits of whole
// trees on a branch, lightweight or annotated tags that can be moved.
#include <filesystem>
#include <map>
#include <string>

struct git_repository;

namespace fical::testing {

/// A bare repository at `dir` (created). Files ending in .sh are committed executable.
class GitFixture {
 public:
  explicit GitFixture(std::filesystem::path dir);
  ~GitFixture();
  GitFixture(const GitFixture&) = delete;
  GitFixture& operator=(const GitFixture&) = delete;

  /// Commits exactly `files` (path -> content) on top of `branch`; returns the commit id.
  std::string commit(const std::string& branch, const std::map<std::string, std::string>& files,
                     const std::string& message = "change");
  /// Creates or moves a tag to `commit`.
  void tag(const std::string& name, const std::string& commit, bool annotated = false);
  /// Stores a loose blob; returns its id (to make short ids ambiguous).
  std::string blob(const std::string& content);
  std::string url() const { return "file://" + dir_.string(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  git_repository* repo_ = nullptr;
};

}  // namespace fical::testing
