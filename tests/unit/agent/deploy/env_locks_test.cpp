#include "agent/deploy/env_locks.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using fical::agent::deploy::EnvLease;
using fical::agent::deploy::EnvLocks;
using fical::agent::deploy::HeldBy;

namespace {

EnvLease take(EnvLocks& locks, const std::string& env, const std::string& id) {
  auto taken = locks.try_take("web", env, id);
  REQUIRE(std::holds_alternative<EnvLease>(taken));
  return std::get<EnvLease>(std::move(taken));
}

}  // namespace

TEST_CASE("one holder per environment, environments independent", "[deploy][lease]") {
  EnvLocks locks;
  auto prod = take(locks, "prod", "d-1");
  CHECK(prod.held());
  CHECK(prod.holder() == "d-1");
  auto refused = locks.try_take("web", "prod", "d-2");
  REQUIRE(std::holds_alternative<HeldBy>(refused));
  CHECK(std::get<HeldBy>(refused).holder == "d-1");
  auto staging = take(locks, "staging", "d-3");
  CHECK(locks.holder("web", "prod") == "d-1");
  prod.release();
  CHECK_FALSE(prod.held());
  CHECK_FALSE(locks.holder("web", "prod"));
  prod.release();  // idempotent
  auto again = take(locks, "prod", "d-4");
  CHECK(locks.holder("web", "staging") == "d-3");
}

TEST_CASE("a lease gives the environment back when its holder's work throws", "[deploy][lease]") {
  EnvLocks locks;
  auto work = [&] {
    auto lease = take(locks, "prod", "keep-warm-expiry");
    throw std::runtime_error("Docker answered 500");
  };
  CHECK_THROWS_AS(work(), std::runtime_error);
  CHECK_FALSE(locks.holder("web", "prod"));
  CHECK(std::holds_alternative<EnvLease>(locks.try_take("web", "prod", "d-1")));
}

TEST_CASE("a moved lease is held once and given back once", "[deploy][lease]") {
  EnvLocks locks;
  EnvLease outer;
  CHECK_FALSE(outer.held());
  {
    auto lease = take(locks, "prod", "d-1");
    outer = std::move(lease);
    CHECK_FALSE(lease.held());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  }
  CHECK(locks.holder("web", "prod") == "d-1");  // the moved-from lease released nothing
  EnvLease moved(std::move(outer));
  CHECK(locks.holder("web", "prod") == "d-1");
  // Assigning over a held lease gives its environment back first.
  moved = take(locks, "staging", "d-2");
  CHECK_FALSE(locks.holder("web", "prod"));
  CHECK(locks.holder("web", "staging") == "d-2");
}

TEST_CASE("freeing an ended holder makes its late release a no-op", "[deploy][lease]") {
  EnvLocks locks;
  auto ended = take(locks, "prod", "d-1");
  locks.free_ended("web", "prod", "d-1");
  auto next = take(locks, "prod", "d-2");
  ended.release();  // d-1's thread returns: d-2 keeps the environment
  CHECK(locks.holder("web", "prod") == "d-2");
  locks.free_ended("web", "prod", "d-1");  // not the holder: no effect
  CHECK(locks.holder("web", "prod") == "d-2");
}
