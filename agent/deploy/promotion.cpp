#include "agent/deploy/promotion.hpp"

#include <algorithm>

#include "agent/deploy/build_output.hpp"
#include "agent/deploy/docker_specs.hpp"

namespace fical::agent::deploy {
namespace {

namespace reason = promotion_reason;

const proto::ServiceImage* recorded_image(const proto::Release& release, const std::string& service) {
  for (const auto& image : release.images) {
    if (image.service == service) return &image;
  }
  return nullptr;
}

bool built(const config::App& app, const config::Service& service) { return app.source && service.build; }

std::string repository_of(const std::string& image) { return split_reference(image).first; }

/// Why a container of the source's live color does not serve its release now; empty: it does.
std::string unhealthy(const SourceContainer& c, const std::string& version) {
  if (!c.exists) return c.name + " does not exist";
  if (!c.running) return c.name + " is not running";
  if (c.health == "unhealthy" || c.health == "starting") return c.name + " is " + c.health;
  if (c.release != version) return c.name + " runs release " + (c.release.empty() ? "?" : c.release) + ", not " + version;
  return {};
}

}  // namespace

PromotedImage promoted_image(const config::App& app, const config::Service& service, const proto::Release& release) {
  const auto* image = recorded_image(release, service.name);
  if (!image) return {};
  if (built(app, service)) return image->image_id.empty() ? PromotedImage{} : PromotedImage{image->image, image->image_id};
  if (image->digest.empty()) return {};
  return {repository_of(service.image) + "@" + image->digest, {}};
}

std::optional<PromotionRefusal> check_promoted_release(const config::App& app, const std::string& from,
                                                       const config::Environment& to, const proto::Release& release) {
  const auto what = from + "'s release " + release.version + " (deployment " + release.deployment_id + ")";
  for (const auto& service : to.services) {
    const auto* image = recorded_image(release, service.name);
    if (!image) {
      return PromotionRefusal{reason::kServiceMismatch,
                              to.name + " runs service " + service.name + ", which " + what + " did not run"};
    }
    if (built(app, service)) {
      if (image->image_id.empty() || repository_of(image->image) != built_image_repository(app.name, service.name)) {
        return PromotionRefusal{reason::kNotPinned, what + " recorded no image built for " + service.name +
                                                        " (it ran " + image->image + "), so there is no exact image to promote"};
      }
      continue;
    }
    if (repository_of(image->image) != repository_of(service.image)) {
      return PromotionRefusal{reason::kServiceMismatch,
                              service.name + " runs " + repository_of(service.image) + " in " + to.name + " but " +
                                  repository_of(image->image) + " in " + from + ": not the same image"};
    }
    if (image->digest.empty()) {
      return PromotionRefusal{
          reason::kNotPinned,
          what + " recorded no digest for " + service.name + ": its image " + image->image +
              " was not pulled from a registry (a local image has no repository digest), so its exact image "
              "cannot be named; push it to a registry and deploy it to " + from + " first"};
    }
  }
  return std::nullopt;
}

std::variant<proto::Release, PromotionRefusal> check_promotion(const config::App& app, const config::Environment& from,
                                                             const config::Environment& to,
                                                             const PromotionFacts& facts) {
  const auto env = app.name + "/" + from.name;
  if (from.name == to.name) {
    return PromotionRefusal{reason::kSameEnv, "a promotion goes from one environment to another: both are " + to.name};
  }
  if (!facts.source.live || facts.source.live_color.empty()) {
    return PromotionRefusal{reason::kNoLiveRelease, "nothing is live in " + env + ", so there is nothing to promote"};
  }
  const auto& live = *facts.source.live;
  auto running = !facts.running_deployment.empty() ? facts.running_deployment : facts.source.in_flight_id;
  if (!running.empty()) {
    return PromotionRefusal{reason::kSourceBusy, "deployment " + running + " is running in " + env +
                                                     ": promote once it has ended"};
  }
  if (!facts.last_deployment) {
    return PromotionRefusal{reason::kNotSettled, "the deployment that made " + live.version + " live in " + env +
                                                     " is no longer recorded, so it cannot be told settled"};
  }
  const auto& last = *facts.last_deployment;
  if (last.id != live.deployment_id || last.state != proto::DeploymentState::succeeded) {
    return PromotionRefusal{reason::kNotSettled,
                            "the last deployment of " + env + " (" + last.id + ", " + std::string(proto::to_string(last.kind)) +
                                " of " + last.version + ") ended " + std::string(proto::to_string(last.state)) +
                                ", so its live release " + live.version + " (deployment " + live.deployment_id +
                                ") is not what it last deployed"};
  }
  for (const auto& c : facts.containers) {
    if (auto why = unhealthy(c, live.version); !why.empty()) {
      return PromotionRefusal{reason::kUnhealthy, live.version + " is not healthy in " + env + " now: " + why};
    }
  }
  if (facts.view_state == proto::ContainersView::current) {
    for (const auto& c : facts.view) {
      if (c.color != facts.source.live_color) continue;
      if (c.state != "running" || c.health == "unhealthy") {
        return PromotionRefusal{reason::kUnhealthy, live.version + " is not healthy in " + env + " now: " + c.name +
                                                        " is " + (c.state != "running" ? c.state : c.health)};
      }
    }
  }
  if (auto refused = check_promoted_release(app, from.name, to, live)) return *refused;
  return live;
}

}  // namespace fical::agent::deploy
