#pragma once
// Whether an environment's live release may be promoted to another, decided (pure) from
// facts gathered beforehand (plan_facts.hpp): it must be live, healthy now, the outcome of
// the source's last deployment, and pinned (every service's exact image recorded). The
// promotion then runs those images in the target env as a deployment of kind promote.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/store/state_store.hpp"
#include "proto/deployment.hpp"
#include "proto/release.hpp"

namespace fical::agent::deploy {

/// Why a promotion is refused: `reason` is a word for programs (the API's error reason),
/// `message` the sentence for people.
struct PromotionRefusal {
  std::string reason;
  std::string message;
};

namespace promotion_reason {
inline constexpr const char* kSameEnv = "same_env";                // from == to
inline constexpr const char* kNoLiveRelease = "no_live_release";   // nothing is live in from
inline constexpr const char* kSourceBusy = "source_busy";          // a deployment of from runs
inline constexpr const char* kNotSettled = "source_not_settled";   // from's last deployment did not make its live release
inline constexpr const char* kUnhealthy = "source_unhealthy";      // its containers are not running and healthy now
inline constexpr const char* kNotPinned = "not_pinned";            // no digest (or built image id) recorded
inline constexpr const char* kServiceMismatch = "service_mismatch";  // to runs a service from did not release
}  // namespace promotion_reason

/// One service's container of the source's live color, as Docker shows it now.
struct SourceContainer {
  std::string service;
  std::string name;
  bool exists = false;
  bool running = false;
  std::string health;   // healthy, unhealthy, starting; empty without a healthcheck
  std::string release;  // its fical.release label
};

/// What the decision needs that only I/O can tell.
struct PromotionFacts {
  store::EnvState source;          // the source env's state
  std::string running_deployment;  // a deployment of the source env that runs now; empty: none
  // The source's newest deployment that is not a dry run (without events); none: unknown.
  std::optional<proto::Deployment> last_deployment;
  std::vector<SourceContainer> containers;        // per service of the source env, from Docker now
  std::vector<proto::ContainerStatus> view;       // the agent's containers view of the source env
  proto::ContainersView view_state = proto::ContainersView::unknown;
};

/// The release to promote from `from` to `to`, or why it may not be.
std::variant<proto::Release, PromotionRefusal> check_promotion(const config::App& app, const config::Environment& from,
                                                             const config::Environment& to,
                                                             const PromotionFacts& facts);

/// The part that depends only on the release (checked again when the promotion runs): every
/// service of `to` has the exact image it will run recorded in `release`.
std::optional<PromotionRefusal> check_promoted_release(const config::App& app, const std::string& from,
                                                       const config::Environment& to, const proto::Release& release);

/// The image a service of `to` runs when `release` is promoted: repository@digest (the
/// target's repository). In build mode a built service's image is local to this host and
/// never pulled: `image_id` is the exact image it must be (the release's built image), and
/// `image` its fical/<app>-<service>:<commit> name. Empty when `release` recorded neither.
struct PromotedImage {
  std::string image;
  std::string image_id;  // build mode only
};
PromotedImage promoted_image(const config::App& app, const config::Service& service, const proto::Release& release);

}  // namespace fical::agent::deploy
