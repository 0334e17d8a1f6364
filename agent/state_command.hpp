#pragma once
// `fical-agent state check|dump|backup`: inspect state_dir/fical.db, beside a running agent.
#include <filesystem>
#include <iosfwd>

#include "agent/options.hpp"

namespace fical::agent {

/// Runs one state command on `state_dir`, printing to out/err; returns the exit code
/// (0 ok, 1 check found problems or the command failed).
int run_state_command(const Options& options, const std::filesystem::path& state_dir, std::ostream& out,
                      std::ostream& err);

}  // namespace fical::agent
