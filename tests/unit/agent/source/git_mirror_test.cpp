// Ref resolution against real bare repositories made with libgit2 (no network, no Docker).
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "agent/source/git_mirror.hpp"
#include "agent/source/release_tree.hpp"
#include "agent/source/repo_url.hpp"
#include "agent/source/source_error.hpp"
#include "tests/support/git_fixture.hpp"

using namespace fical;
using agent::source::GitMirror;
using agent::source::SourceError;
using agent::source::SourceErrorKind;

namespace {

/// A fresh directory under the system temp dir, removed at the end.
class ScratchDir {
 public:
  ScratchDir() {
    auto base = std::filesystem::temp_directory_path() / "fical-source-test-XXXXXX";
    std::string name = base.string();
    if (!::mkdtemp(name.data())) throw std::runtime_error("mkdtemp failed");
    path_ = name;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

agent::config::Source source_of(const std::string& url) { return {url, std::nullopt, std::nullopt}; }

SourceErrorKind error_kind(GitMirror& mirror, const std::string& ref) {
  try {
    mirror.resolve(ref);
  } catch (const SourceError& e) {
    return e.kind();
  }
  FAIL("resolve(" << ref << ") did not throw");
  return SourceErrorKind::io;
}

}  // namespace

TEST_CASE("a version resolves as a tag, then a branch, then a commit id", "[source]") {
  ScratchDir dir;
  testing::GitFixture origin(dir.path() / "origin.git");
  auto first = origin.commit("main", {{"README", "one"}});
  auto second = origin.commit("main", {{"README", "two"}});
  origin.tag("v1", first);
  origin.tag("v2", second, true);  // annotated: peeled to its commit
  origin.commit("feature", {{"README", "feature"}});

  GitMirror mirror(dir.path() / "mirror.git", source_of(origin.url()));
  auto v1 = mirror.resolve("v1");
  CHECK(v1.kind == "tag");
  CHECK(v1.commit == first);
  CHECK(v1.fetched);
  auto v2 = mirror.resolve("v2");
  CHECK(v2.kind == "tag");
  CHECK(v2.commit == second);
  auto main = mirror.resolve("main");
  CHECK(main.kind == "branch");
  CHECK(main.commit == second);
  auto short_id = mirror.resolve(first.substr(0, 7));
  CHECK(short_id.kind == "commit");
  CHECK(short_id.commit == first);
  // A full id already in the mirror needs no fetch.
  auto full = mirror.resolve(second);
  CHECK(full.commit == second);
  CHECK_FALSE(full.fetched);
}

TEST_CASE("unknown refs, unknown and ambiguous short ids are clear errors", "[source]") {
  ScratchDir dir;
  testing::GitFixture origin(dir.path() / "origin.git");
  origin.commit("main", {{"README", "one"}});
  GitMirror mirror(dir.path() / "mirror.git", source_of(origin.url()));
  CHECK(error_kind(mirror, "v9") == SourceErrorKind::unknown_ref);
  CHECK(error_kind(mirror, "deadbeef") == SourceErrorKind::unknown_ref);
  try {
    mirror.resolve("v9");
  } catch (const SourceError& e) {
    CHECK_THAT(e.what(), Catch::Contains("\"v9\" is no tag, branch or commit"));
  }
}

TEST_CASE("an ambiguous short commit id is refused", "[source]") {
  ScratchDir dir;
  testing::GitFixture origin(dir.path() / "origin.git");
  // Commits until two share their first four hex digits.
  std::map<std::string, std::string> by_prefix;
  std::string ambiguous;
  for (int i = 0; ambiguous.empty() && i < 3000; ++i) {
    auto id = origin.commit("main", {{"README", std::to_string(i)}});
    auto [it, fresh] = by_prefix.emplace(id.substr(0, 4), id);
    if (!fresh) ambiguous = id.substr(0, 4);
  }
  REQUIRE_FALSE(ambiguous.empty());
  GitMirror mirror(dir.path() / "mirror.git", source_of(origin.url()));
  CHECK(error_kind(mirror, ambiguous) == SourceErrorKind::ambiguous_ref);
  CHECK(mirror.resolve(by_prefix[ambiguous]).commit == by_prefix[ambiguous]);
}

TEST_CASE("a moved tag resolves to its new commit and names the old one", "[source]") {
  ScratchDir dir;
  testing::GitFixture origin(dir.path() / "origin.git");
  auto first = origin.commit("main", {{"README", "one"}});
  origin.tag("v1", first);
  GitMirror mirror(dir.path() / "mirror.git", source_of(dir.path().string() + "/origin.git"));  // a local path
  CHECK(mirror.resolve("v1").moved_from.empty());
  auto second = origin.commit("main", {{"README", "two"}});
  origin.tag("v1", second);
  auto moved = mirror.resolve("v1");
  CHECK(moved.commit == second);
  CHECK(moved.moved_from == first);
  // Once fetched, the same tag is no longer reported as moved.
  CHECK(mirror.resolve("v1").moved_from.empty());
}

TEST_CASE("a repository that cannot be reached is reported without its credentials", "[source]") {
  ScratchDir dir;
  GitMirror missing(dir.path() / "m1.git", source_of("file://" + dir.path().string() + "/nothing.git"));
  CHECK(error_kind(missing, "v1") == SourceErrorKind::unreachable);
  GitMirror refused(dir.path() / "m2.git", source_of("http://user:s3cret@127.0.0.1:9/repo.git"));
  try {
    refused.resolve("v1");
    FAIL("no error");
  } catch (const SourceError& e) {
    CHECK(e.kind() == SourceErrorKind::unreachable);
    CHECK_THAT(e.what(), !Catch::Contains("s3cret"));
    CHECK_THAT(e.what(), Catch::Contains("http://***@127.0.0.1:9/repo.git"));
  }
}

TEST_CASE("a release tree is written once, read-only, and never rewritten", "[source]") {
  ScratchDir dir;
  testing::GitFixture origin(dir.path() / "origin.git");
  auto id = origin.commit("main", {{"app/Dockerfile", "FROM scratch\n"}, {"app/run.sh", "#!/bin/sh\n"}});
  GitMirror mirror(dir.path() / "mirror.git", source_of(origin.url()));
  mirror.resolve("main");
  bool created = false;
  auto tree = agent::source::ensure_release_tree(mirror, dir.path() / "src", id, &created);
  CHECK(created);
  CHECK(tree == dir.path() / "src" / id);
  std::ifstream dockerfile(tree / "app/Dockerfile");
  CHECK(std::string(std::istreambuf_iterator<char>(dockerfile), {}) == "FROM scratch\n");
  auto perms = std::filesystem::status(tree / "app/run.sh").permissions();
  CHECK((perms & std::filesystem::perms::owner_exec) != std::filesystem::perms::none);
  CHECK((std::filesystem::status(tree / "app/Dockerfile").permissions() & std::filesystem::perms::owner_write) ==
        std::filesystem::perms::none);
  auto again = agent::source::ensure_release_tree(mirror, dir.path() / "src", id, &created);
  CHECK(again == tree);
  CHECK_FALSE(created);
  CHECK(agent::source::context_directory(tree, "app") == std::filesystem::canonical(tree / "app"));
  CHECK_THROWS_AS(agent::source::context_directory(tree, "missing"), SourceError);
}

TEST_CASE("a symlinked build context leading out of the tree is refused", "[source]") {
  ScratchDir dir;
  std::filesystem::create_directories(dir.path() / "tree");
  std::filesystem::create_directory_symlink("/etc", dir.path() / "tree" / "ctx");
  CHECK_THROWS_WITH(agent::source::context_directory(dir.path() / "tree", "ctx"),
                    Catch::Contains("leads outside the repository"));
}

TEST_CASE("repository addresses: redaction and kinds", "[source]") {
  using namespace agent::source;
  CHECK(redact_url("https://tok:x@github.com/o/r.git") == "https://***@github.com/o/r.git");
  CHECK(redact_url("https://github.com/o/r.git") == "https://github.com/o/r.git");
  CHECK(redact_url("/srv/git/r.git") == "/srv/git/r.git");
  CHECK(is_ssh_url("git@github.com:o/r.git"));
  CHECK(is_ssh_url("ssh://git@host/r.git"));
  CHECK_FALSE(is_ssh_url("/srv/git/r.git"));
  CHECK(is_http_url("https://github.com/o/r.git"));
  CHECK(looks_like_commit("abc1234"));
  CHECK_FALSE(looks_like_commit("abc"));
  CHECK_FALSE(looks_like_commit("v1.2.3"));
  CHECK(scrub("token abc in abc", "abc") == "token *** in ***");
}
