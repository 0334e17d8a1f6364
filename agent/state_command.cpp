#include "agent/state_command.hpp"

#include <ostream>

#include "agent/store/state_store.hpp"

namespace fical::agent {

int run_state_command(const Options& options, const std::filesystem::path& state_dir, std::ostream& out,
                      std::ostream& err) {
  try {
    store::StateStore store(state_dir, store::StateStore::Inspect{});
    switch (options.state_command) {
      case StateCommand::check: {
        auto problems = store.check();
        for (const auto& p : problems) out << p << "\n";
        if (problems.empty()) out << "ok\n";
        return problems.empty() ? 0 : 1;
      }
      case StateCommand::dump:
        out << store.dump().dump(2) << "\n";
        return 0;
      case StateCommand::backup:
        if (std::filesystem::exists(options.backup_file)) {
          err << "fical-agent: " << options.backup_file << " exists; give a new file\n";
          return 1;
        }
        store.backup(options.backup_file);
        out << "backed up " << store.db_path().string() << " to " << options.backup_file << "\n";
        return 0;
      case StateCommand::none:
        break;
    }
  } catch (const std::exception& e) {
    err << "fical-agent: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace fical::agent
