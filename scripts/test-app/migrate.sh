#!/bin/sh
# Test migration: takes MIGRATE_SECONDS, fails when MIGRATE_FAIL=1.
echo "migrate: applying migrations for $APP_VERSION"
sleep "$MIGRATE_SECONDS"
if [ "$MIGRATE_FAIL" = 1 ]; then
  echo "migrate: migration 0042 failed: column already exists" >&2
  exit 1
fi
echo "migrate: done"
