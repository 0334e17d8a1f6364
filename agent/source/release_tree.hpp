#pragma once
// Immutable release directories: state_dir/src/<app>/<commit>/ holds a commit's tree,
// written once (into a temp directory renamed into place) and never changed after.
#include <filesystem>
#include <string>

#include "agent/source/git_mirror.hpp"

namespace fical::agent::source {

/// The release directory of `commit` under `root`, exported from `mirror` when it is not
/// there yet; an existing one is used as it is, never rewritten. Files are read-only.
/// `created` tells whether this call wrote it.
std::filesystem::path ensure_release_tree(GitMirror& mirror, const std::filesystem::path& root,
                                          const std::string& commit, bool* created = nullptr);

/// Removes the release directory of `commit` under `root` (its directories are read-only:
/// they are made writable first, so it works without CAP_DAC_OVERRIDE). Returns whether
/// there was one.
bool remove_release_tree(const std::filesystem::path& root, const std::string& commit);

/// `context` inside `tree` after resolving symlinks; throws SourceError when it escapes
/// the tree (a symlink in the repository pointing out) or is not a directory.
std::filesystem::path context_directory(const std::filesystem::path& tree, const std::string& context);

}  // namespace fical::agent::source
