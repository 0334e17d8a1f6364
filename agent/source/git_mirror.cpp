#include "agent/source/git_mirror.hpp"

#include <git2.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "agent/source/git_credentials.hpp"
#include "agent/source/repo_url.hpp"
#include "agent/source/source_error.hpp"
#include "proto/ca_bundle.hpp"

namespace fical::agent::source {
namespace {

/// Frees a libgit2 object when it goes out of scope.
template <typename T, void (*Free)(T*)>
struct Owned {
  T* ptr = nullptr;
  ~Owned() { if (ptr) Free(ptr); }
  T** out() { return &ptr; }
  T* get() const { return ptr; }
};
using Reference = Owned<git_reference, git_reference_free>;
using Object = Owned<git_object, git_object_free>;
using Remote = Owned<git_remote, git_remote_free>;
using Tree = Owned<git_tree, git_tree_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Blob = Owned<git_blob, git_blob_free>;

std::string last_git_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

std::string oid_hex(const git_oid* oid) {
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, oid);
  return hex;
}

std::mutex& mirror_mutex(const std::filesystem::path& dir) {
  static std::mutex guard;
  static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard lock(guard);
  auto& m = mutexes[dir.lexically_normal().string()];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

/// The commit a ref points to (tags peeled); empty when the ref does not exist.
std::string peeled_commit(git_repository* repo, const std::string& name) {
  Reference ref;
  if (git_reference_lookup(ref.out(), repo, name.c_str()) != 0) return {};
  Object commit;
  if (git_reference_peel(commit.out(), ref.get(), GIT_OBJECT_COMMIT) != 0) return {};
  return oid_hex(git_object_id(commit.get()));
}

bool safe_entry_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) return false;
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower != ".git";
}

}  // namespace

const char* to_string(SourceErrorKind kind) {
  switch (kind) {
    case SourceErrorKind::unknown_ref: return "unknown_ref";
    case SourceErrorKind::ambiguous_ref: return "ambiguous_ref";
    case SourceErrorKind::unreachable: return "unreachable";
    case SourceErrorKind::auth: return "auth";
    case SourceErrorKind::io: return "io";
  }
  return "io";
}

GitMirror::GitMirror(std::filesystem::path dir, config::Source source)
    : dir_(std::move(dir)), source_(std::move(source)), lock_(mirror_mutex(dir_)) {
  git_libgit2_init();
  // libgit2's TLS (mbedTLS in Debian's build, linked statically into the release binary)
  // has Debian's CA path compiled in: give it the host's bundle (proto/ca_bundle.hpp).
  if (auto bundle = proto::system_ca_bundle()) {
    git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, bundle->c_str(), nullptr);
  }
  int rc = std::filesystem::exists(dir_ / "HEAD") ? git_repository_open_bare(&repo_, dir_.c_str())
                                                  : git_repository_init(&repo_, dir_.c_str(), 1);
  if (rc != 0) {
    auto message = "the mirror " + dir_.string() + " cannot be opened: " + last_git_error();
    git_libgit2_shutdown();
    throw SourceError(SourceErrorKind::io, message);
  }
}

GitMirror::~GitMirror() {
  git_repository_free(repo_);
  git_libgit2_shutdown();
}

void GitMirror::fetch() {
  const auto shown = redact_url(source_.repo);
  Remote remote;
  if (git_remote_create_anonymous(remote.out(), repo_, source_.repo.c_str()) != 0) {
    throw SourceError(SourceErrorKind::unreachable, shown + " is not a repository address: " + last_git_error());
  }
  CredentialState credentials{&source_, 0, {}, {}};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.callbacks.credentials = acquire_credentials;
  options.callbacks.payload = &credentials;
  options.prune = GIT_FETCH_PRUNE;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  char heads[] = "+refs/heads/*:refs/heads/*";
  char tags[] = "+refs/tags/*:refs/tags/*";
  char* specs[] = {heads, tags};
  git_strarray refspecs{specs, 2};
  if (git_remote_fetch(remote.get(), &refspecs, &options, nullptr) != 0) {
    auto why = scrub(credentials.failure.empty() ? last_git_error() : credentials.failure, credentials.token);
    auto kind = credentials.failure.empty() ? SourceErrorKind::unreachable : SourceErrorKind::auth;
    throw SourceError(kind, "fetching " + shown + " failed: " + scrub(why, source_.repo));
  }
}

Resolution GitMirror::resolve(const std::string& ref) {
  if (ref.size() == GIT_OID_HEXSZ && looks_like_commit(ref)) {
    git_oid oid;
    Commit commit;
    if (git_oid_fromstr(&oid, ref.c_str()) == 0 && git_commit_lookup(commit.out(), repo_, &oid) == 0) {
      return {ref, "commit", "", false};
    }
  }
  auto before = peeled_commit(repo_, "refs/tags/" + ref);
  fetch();
  auto resolution = resolve_here(ref);
  resolution.fetched = true;
  if (resolution.kind == "tag" && !before.empty() && before != resolution.commit) resolution.moved_from = before;
  return resolution;
}

Resolution GitMirror::resolve_here(const std::string& ref) {
  if (auto commit = peeled_commit(repo_, "refs/tags/" + ref); !commit.empty()) return {commit, "tag", "", false};
  if (auto commit = peeled_commit(repo_, "refs/heads/" + ref); !commit.empty()) {
    return {commit, "branch", "", false};
  }
  if (looks_like_commit(ref)) {
    git_oid prefix;
    git_oid_fromstrn(&prefix, ref.c_str(), ref.size());
    Object commit;
    int rc = git_object_lookup_prefix(commit.out(), repo_, &prefix, ref.size(), GIT_OBJECT_COMMIT);
    if (rc == GIT_EAMBIGUOUS) {
      throw SourceError(SourceErrorKind::ambiguous_ref,
                        "\"" + ref + "\" is ambiguous: several objects start with it; give more of the commit id");
    }
    if (rc == 0) return {oid_hex(git_object_id(commit.get())), "commit", "", false};
  }
  throw SourceError(SourceErrorKind::unknown_ref, "\"" + ref + "\" is no tag, branch or commit of " +
                                                      redact_url(source_.repo));
}

std::size_t GitMirror::export_tree(const std::string& commit_id, const std::filesystem::path& target) {
  git_oid oid;
  Commit commit;
  Tree tree;
  if (git_oid_fromstr(&oid, commit_id.c_str()) != 0 || git_commit_lookup(commit.out(), repo_, &oid) != 0 ||
      git_commit_tree(tree.out(), commit.get()) != 0) {
    throw SourceError(SourceErrorKind::unknown_ref, "commit " + commit_id + " is not in the mirror");
  }
  std::filesystem::create_directory(target);  // throws when it exists
  struct Walk {
    git_repository* repo;
    const std::filesystem::path* target;
    std::size_t files = 0;
    std::string error;
  } walk{repo_, &target, 0, {}};
  static int (*write_entry)(const char*, const git_tree_entry*, Walk&) = [](const char* root,
                                                                           const git_tree_entry* entry,
                                                                           Walk& w) -> int {
    std::string name = git_tree_entry_name(entry);
    if (!safe_entry_name(name)) {
      w.error = std::string("the tree holds an unsafe name \"") + root + name + "\"";
      return -1;
    }
    auto path = *w.target / root / name;
    auto mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_TREE) {
      std::filesystem::create_directory(path);
      return 0;
    }
    if (mode == GIT_FILEMODE_COMMIT) return 0;  // a submodule: not part of this tree
    Blob blob;
    if (git_blob_lookup(blob.out(), w.repo, git_tree_entry_id(entry)) != 0) {
      w.error = "blob of " + std::string(root) + name + " is missing: " + last_git_error();
      return -1;
    }
    std::string content(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                        static_cast<std::size_t>(git_blob_rawsize(blob.get())));
    if (mode == GIT_FILEMODE_LINK) {
      std::filesystem::create_symlink(content, path);
    } else {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(content.data(), static_cast<std::streamsize>(content.size()));
      out.close();
      if (!out) {
        w.error = "cannot write " + path.string();
        return -1;
      }
      ::chmod(path.c_str(), mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0555 : 0444);
    }
    ++w.files;
    return 0;
  };
  // No exception may cross libgit2's C frames.
  auto visit = [](const char* root, const git_tree_entry* entry, void* payload) -> int {
    auto& w = *static_cast<Walk*>(payload);
    try {
      return write_entry(root, entry, w);
    } catch (const std::exception& e) {
      w.error = e.what();
      return -1;
    }
  };
  if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, visit, &walk) != 0) {
    throw SourceError(SourceErrorKind::io, "exporting " + commit_id + " failed: " +
                                               (walk.error.empty() ? last_git_error() : walk.error));
  }
  return walk.files;
}

}  // namespace fical::agent::source
