#include "agent/source/release_tree.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "agent/source/source_error.hpp"

namespace fical::agent::source {

std::filesystem::path ensure_release_tree(GitMirror& mirror, const std::filesystem::path& root,
                                          const std::string& commit, bool* created) {
  namespace fs = std::filesystem;
  if (created) *created = false;
  auto final_dir = root / commit;
  if (fs::is_directory(final_dir)) return final_dir;
  fs::create_directories(root);
  auto temp = root / (".tmp-" + commit + "-" + std::to_string(::getpid()));
  fs::remove_all(temp);  // left by an earlier crash
  try {
    mirror.export_tree(commit, temp);
    for (const auto& entry : fs::recursive_directory_iterator(temp)) {
      if (entry.is_directory() && !entry.is_symlink()) ::chmod(entry.path().c_str(), 0555);
    }
    fs::rename(temp, final_dir);
    ::chmod(final_dir.c_str(), 0555);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw;
  }
  if (created) *created = true;
  return final_dir;
}

bool remove_release_tree(const std::filesystem::path& root, const std::string& commit) {
  namespace fs = std::filesystem;
  auto dir = root / commit;
  std::error_code ec;
  if (commit.empty() || commit.find('/') != std::string::npos || !fs::is_directory(dir, ec)) return false;
  ::chmod(dir.c_str(), 0755);
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0755);
  }
  fs::remove_all(dir, ec);
  if (ec) throw SourceError(SourceErrorKind::io, "cannot remove " + dir.string() + ": " + ec.message());
  return true;
}

std::filesystem::path context_directory(const std::filesystem::path& tree, const std::string& context) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto base = fs::canonical(tree, ec);
  auto dir = fs::canonical(tree / context, ec);
  if (ec) throw SourceError(SourceErrorKind::io, "the build context \"" + context + "\" does not exist in the tree");
  auto rel = dir.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") {
    throw SourceError(SourceErrorKind::io, "the build context \"" + context + "\" leads outside the repository");
  }
  if (!fs::is_directory(dir)) {
    throw SourceError(SourceErrorKind::io, "the build context \"" + context + "\" is not a directory");
  }
  return dir;
}

}  // namespace fical::agent::source
