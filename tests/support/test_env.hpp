#pragma once
// What integration tests need from the real environment of scripts/test-env.sh.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fical::testing {

/// The environment written by `test-env.sh up` (env.json named by $FICAL_TEST_ENV).
struct TestEnv {
  std::string docker_socket;
  std::string registry;      // 127.0.0.1:PORT
  std::string test_image;    // registry/fical/test-app (tag it with test_tags)
  std::vector<std::string> test_tags;
  int nginx_port = 0;
  std::string nginx_prefix;
  std::string nginx_conf;
  std::string nginx_pidfile;
  std::string nginx_upstream_dir;
  std::string nginx_location_dir;

  /// Reads $FICAL_TEST_ENV; throws with a hint to run `scripts/test-env.sh up` when absent.
  static const TestEnv& get();
  /// argv of `nginx -t` for this nginx.
  std::vector<std::string> nginx_test_command() const;
};

/// A loopback TCP port nothing listens on right now (bind to port 0, read, close).
std::uint16_t free_port();

/// A fresh empty directory under /tmp, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace fical::testing
