#pragma once
// The one-time import of a JSON state dir (fical before SQLite: envs/, deployments/, releases/).
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "agent/store/state_store.hpp"

namespace fical::agent::store {

/// When state_dir holds JSON state, imports all of it into `db` in one transaction, checks
/// that the rows counted match the files read, then moves the JSON directories to
/// state_dir/imported-<date>/ and logs it once. Unreadable files are reported through
/// `problem` and left behind in the moved directory. nullopt when there was nothing to import.
std::optional<ImportReport> import_json_state(Connection& db, const std::filesystem::path& state_dir,
                                              const std::function<void(std::string)>& problem);

/// When state_dir holds audit.log (and its rotations audit.log.1 .. .N), imports its records,
/// oldest first, into the audit table in one transaction, then moves the files to
/// `moved_to` (or a new state_dir/imported-<date>/ when empty). Torn or unreadable lines are
/// skipped and counted through `problem`. nullopt when there was no audit.log.
std::optional<ImportReport> import_audit_log(Connection& db, const std::filesystem::path& state_dir,
                                             const std::filesystem::path& moved_to,
                                             const std::function<void(std::string)>& problem);

}  // namespace fical::agent::store
