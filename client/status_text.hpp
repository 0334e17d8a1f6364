#pragma once
// Text for `status` and `releases`: small aligned tables a person can read at a glance.
#include <string>
#include <vector>

#include "proto/release.hpp"

namespace fical::client {

/// `fical-client status` without --app: every app and environment with its live release.
std::string apps_table(const std::vector<proto::AppSummary>& apps);

/// `fical-client status --app A --env E`: live release, running deployment, containers.
std::string env_status_text(const proto::EnvStatus& status);

/// `fical-client releases`: newest first, as the agent lists them.
std::string releases_table(const std::vector<proto::Release>& releases);

/// One row per deployment, newest first: id, kind, version, result, start, duration,
/// token id, and the reason it did not succeed (cut to fit a line).
std::string deployments_table(const std::vector<proto::Deployment>& deployments);

/// Rows of cells as columns padded to the widest cell, two spaces apart.
std::string table(const std::vector<std::vector<std::string>>& rows);

/// For a rollback whose env_file changed since the release ran: which env it runs with,
/// and how to choose the other. Empty otherwise.
std::string env_choice_note(const proto::Deployment& d);

}  // namespace fical::client
