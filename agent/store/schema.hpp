#pragma once
// The schema of fical.db and its forward migrations, one per version, applied in order.
#include <string_view>
#include <vector>

namespace fical::agent::store {

class Connection;

/// The schema version this build writes.
int current_schema_version();
/// The SQL that takes a database from version i to i + 1 (index i; version 0 is empty).
const std::vector<std::string_view>& migrations();
/// The version recorded in `db` (0 for a new, empty file).
int schema_version(Connection& db);
/// Applies the missing migrations, each in its own transaction with its new version.
/// Throws when the database is newer than this build.
void migrate(Connection& db);
/// Applies migrations up to `version` only (tests build a database of an earlier version).
void migrate_to(Connection& db, int version);

}  // namespace fical::agent::store
