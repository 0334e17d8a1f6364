#include "agent/deploy/source_resolve.hpp"

#include "agent/deploy/step_error.hpp"
#include "agent/source/git_mirror.hpp"
#include "agent/source/source_error.hpp"

namespace fical::agent::deploy {

SourceCheckout resolve_source(DeploymentLog& log, Clock& clock, const std::filesystem::path& state_dir,
                              const std::string& app, const config::Source& source, const std::string& ref,
                              const std::string& version, const std::string& serving) {
  log.enter_phase(proto::Phase::resolve);
  SourceCheckout checkout;
  auto started = clock.now();
  try {
    checkout = checkout_source(state_dir, app, source, ref);
  } catch (const source::SourceError& e) {
    throw StepError(std::string(e.what()) + "; " + serving, {{"kind", source::to_string(e.kind())}});
  } catch (const std::exception& e) {
    throw StepError(std::string("the source could not be prepared: ") + e.what());
  }
  const auto& r = checkout.resolution;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - started).count();
  nlohmann::json details{{"ref", version},
                         {"kind", r.kind},
                         {"commit", r.commit},
                         {"fetched", r.fetched},
                         {"tree", checkout.tree.string()},
                         {"tree_created", checkout.tree_created},
                         {"ms", ms}};
  if (!r.moved_from.empty()) {
    details["moved_from"] = r.moved_from;
    details["event"] = "tag_moved";
    log.warn("tag " + version + " moved since the last fetch: it was " + r.moved_from.substr(0, 12) + ", it is " +
                 r.commit.substr(0, 12) + " now; deploying what it points to now",
             details);
  }
  details["event"] = "source_resolved";
  log.info(version + " is " + r.kind + " " + r.commit.substr(0, 12) + (r.fetched ? " (fetched)" : "") +
               (checkout.tree_created ? ", tree written to " : ", tree already at ") + checkout.tree.string(),
           details);
  return checkout;
}

std::string resolve_commit(const std::filesystem::path& state_dir, const std::string& app,
                           const config::Source& source, const std::string& ref) {
  source::GitMirror mirror(state_dir / "git" / (app + ".git"), source);
  return mirror.resolve(ref).commit;
}

}  // namespace fical::agent::deploy
