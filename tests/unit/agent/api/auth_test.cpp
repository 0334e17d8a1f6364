#include <catch2/catch.hpp>

#include "agent/api/authenticator.hpp"
#include "agent/api/failure_limiter.hpp"
#include "agent/api/token_hash.hpp"

using namespace fical::agent;
using namespace fical::agent::api;
using namespace std::chrono_literals;

TEST_CASE("sha256_hex matches the known digest", "[api]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
}

TEST_CASE("the authenticator accepts only Bearer with a configured token", "[api]") {
  Authenticator auth({{"a", sha256_hex("tok-a"), {config::Scope::read}, {}},
                      {"b", sha256_hex("tok-b"), {config::Scope::deploy}, {"web"}}});
  REQUIRE(auth.authenticate("Bearer tok-a") != nullptr);
  CHECK(auth.authenticate("Bearer tok-a")->id == "a");
  CHECK(auth.authenticate("bearer tok-b")->id == "b");
  CHECK(auth.authenticate("Bearer  tok-b ")->id == "b");
  CHECK(auth.authenticate("") == nullptr);
  CHECK(auth.authenticate("Bearer ") == nullptr);
  CHECK(auth.authenticate("Basic tok-a") == nullptr);
  CHECK(auth.authenticate("tok-a") == nullptr);
  CHECK(auth.authenticate("Bearer tok-c") == nullptr);
  CHECK(auth.authenticate("Bearer " + sha256_hex("tok-a")) == nullptr);  // the hash is no token
}

TEST_CASE("admin implies the other scopes, app lists restrict", "[api]") {
  config::Token admin{"x", "", {config::Scope::admin}, {}};
  config::Token deployer{"y", "", {config::Scope::deploy}, {"web"}};
  CHECK(has_scope(admin, config::Scope::read));
  CHECK(has_scope(admin, config::Scope::deploy));
  CHECK(has_scope(deployer, config::Scope::deploy));
  CHECK_FALSE(has_scope(deployer, config::Scope::read));
  CHECK_FALSE(has_scope(deployer, config::Scope::admin));
  CHECK(allows_app(admin, "anything"));
  CHECK(allows_app(deployer, "web"));
  CHECK_FALSE(allows_app(deployer, "blog"));
}

TEST_CASE("promote is implied by deploy and admin, and implies nothing", "[api][promote]") {
  config::Token promoter{"p", "", {config::Scope::promote}, {}};
  config::Token deployer{"d", "", {config::Scope::deploy}, {}};
  config::Token reader{"r", "", {config::Scope::read}, {}};
  config::Token admin{"a", "", {config::Scope::admin}, {}};
  CHECK(has_scope(promoter, config::Scope::promote));
  CHECK_FALSE(has_scope(promoter, config::Scope::deploy));
  CHECK_FALSE(has_scope(promoter, config::Scope::read));
  CHECK_FALSE(has_scope(promoter, config::Scope::admin));
  CHECK(has_scope(deployer, config::Scope::promote));
  CHECK(has_scope(admin, config::Scope::promote));
  CHECK_FALSE(has_scope(reader, config::Scope::promote));
}

TEST_CASE("the failure limiter blocks a key after N failures within the window", "[api]") {
  FailureLimiter limiter(3, 60s);
  FailureLimiter::TimePoint t0{};
  CHECK(limiter.retry_after("p", t0) == 0s);
  limiter.record_failure("p", t0);
  limiter.record_failure("p", t0 + 10s);
  CHECK(limiter.retry_after("p", t0 + 10s) == 0s);
  limiter.record_failure("p", t0 + 20s);
  CHECK(limiter.retry_after("p", t0 + 20s) == 40s);  // until the first leaves the window
  CHECK(limiter.retry_after("other", t0 + 20s) == 0s);
  CHECK(limiter.retry_after("p", t0 + 60s) == 0s);   // sliding: the first one expired
  limiter.record_failure("p", t0 + 61s);
  CHECK(limiter.retry_after("p", t0 + 61s) == 9s);   // 10s + 60s - 61s
}

TEST_CASE("the failure limiter tracks a bounded number of keys", "[api]") {
  FailureLimiter limiter(2, 60s, 3);
  FailureLimiter::TimePoint t0{};
  for (int i = 0; i < 10; ++i) limiter.record_failure("k" + std::to_string(i), t0 + std::chrono::seconds(i));
  CHECK(limiter.tracked_keys() == 3);
  limiter.record_failure("k9", t0 + 10s);
  CHECK(limiter.retry_after("k9", t0 + 10s) > 0s);  // the newest are the ones kept
}
