#include "agent/deploy/env_locks.hpp"

#include <catch2/catch.hpp>

using fical::agent::deploy::EnvLocks;

TEST_CASE("one deployment per environment, environments independent", "[deploy]") {
  EnvLocks locks;
  CHECK_FALSE(locks.try_take("web", "prod", "d-1"));
  CHECK(locks.try_take("web", "prod", "d-2") == "d-1");
  CHECK_FALSE(locks.try_take("web", "staging", "d-3"));
  CHECK(locks.holder("web", "prod") == "d-1");
  locks.release("web", "prod", "d-2");  // not the holder: no effect
  CHECK(locks.holder("web", "prod") == "d-1");
  locks.release("web", "prod", "d-1");
  CHECK_FALSE(locks.holder("web", "prod"));
  CHECK_FALSE(locks.try_take("web", "prod", "d-4"));
}
