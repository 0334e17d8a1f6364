#include "tests/support/git_fixture.hpp"

#include <git2.h>

#include <map>
#include <stdexcept>

namespace fical::testing {
namespace {

void check(int rc, const char* what) {
  if (rc == 0) return;
  const git_error* e = git_error_last();
  throw std::runtime_error(std::string(what) + ": " + (e && e->message ? e->message : "libgit2 error"));
}

std::string hex(const git_oid& oid) {
  char out[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(out, sizeof out, &oid);
  return out;
}

/// Writes a tree of `files` (paths with slashes make subtrees); returns its id.
git_oid write_tree(git_repository* repo, const std::map<std::string, std::string>& files) {
  std::map<std::string, std::map<std::string, std::string>> subdirs;
  git_treebuilder* builder = nullptr;
  check(git_treebuilder_new(&builder, repo, nullptr), "treebuilder");
  for (const auto& [path, content] : files) {
    auto slash = path.find('/');
    if (slash != std::string::npos) {
      subdirs[path.substr(0, slash)][path.substr(slash + 1)] = content;
      continue;
    }
    git_oid blob;
    check(git_blob_create_from_buffer(&blob, repo, content.data(), content.size()), "blob");
    bool executable = path.size() > 3 && path.substr(path.size() - 3) == ".sh";
    check(git_treebuilder_insert(nullptr, builder, path.c_str(), &blob,
                                 executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB),
          "insert");
  }
  for (const auto& [name, children] : subdirs) {
    auto sub = write_tree(repo, children);
    check(git_treebuilder_insert(nullptr, builder, name.c_str(), &sub, GIT_FILEMODE_TREE), "insert tree");
  }
  git_oid id;
  int rc = git_treebuilder_write(&id, builder);
  git_treebuilder_free(builder);
  check(rc, "write tree");
  return id;
}

}  // namespace

GitFixture::GitFixture(std::filesystem::path dir) : dir_(std::move(dir)) {
  git_libgit2_init();
  check(git_repository_init(&repo_, dir_.c_str(), 1), "init");
}

GitFixture::~GitFixture() {
  git_repository_free(repo_);
  git_libgit2_shutdown();
}

std::string GitFixture::blob(const std::string& content) {
  git_oid oid;
  check(git_blob_create_from_buffer(&oid, repo_, content.data(), content.size()), "blob");
  return hex(oid);
}

std::string GitFixture::commit(const std::string& branch, const std::map<std::string, std::string>& files,
                               const std::string& message) {
  git_oid tree_id, commit_id;
  tree_id = write_tree(repo_, files);
  git_tree* tree = nullptr;
  check(git_tree_lookup(&tree, repo_, &tree_id), "tree");
  git_signature* sig = nullptr;
  check(git_signature_now(&sig, "fical test", "test@localhost"), "signature");
  auto ref = "refs/heads/" + branch;
  git_commit* parent = nullptr;
  git_oid parent_id;
  if (git_reference_name_to_id(&parent_id, repo_, ref.c_str()) == 0) check(git_commit_lookup(&parent, repo_, &parent_id), "parent");
  const git_commit* parents[] = {parent};
  int rc = git_commit_create(&commit_id, repo_, ref.c_str(), sig, sig, nullptr, message.c_str(), tree,
                             parent ? 1 : 0, parents);
  git_commit_free(parent);
  git_signature_free(sig);
  git_tree_free(tree);
  check(rc, "commit");
  return hex(commit_id);
}

void GitFixture::tag(const std::string& name, const std::string& commit, bool annotated) {
  git_oid oid, tag_id;
  check(git_oid_fromstr(&oid, commit.c_str()), "oid");
  git_object* target = nullptr;
  check(git_object_lookup(&target, repo_, &oid, GIT_OBJECT_COMMIT), "lookup");
  int rc;
  if (annotated) {
    git_signature* sig = nullptr;
    check(git_signature_now(&sig, "fical test", "test@localhost"), "signature");
    rc = git_tag_create(&tag_id, repo_, name.c_str(), target, sig, "release", 1);
    git_signature_free(sig);
  } else {
    rc = git_tag_create_lightweight(&tag_id, repo_, name.c_str(), target, 1);
  }
  git_object_free(target);
  check(rc, "tag");
}

}  // namespace fical::testing
