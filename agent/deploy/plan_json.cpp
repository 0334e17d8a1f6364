// The plan as JSON for people and clients: dry runs return it, the deployment record keeps
// it. Names env keys and files, never a value.
#include "agent/deploy/plan.hpp"
#include "agent/router/upstream.hpp"

namespace fical::agent::deploy {

nlohmann::json to_json(const DeployPlan& plan) {
  nlohmann::json containers = nlohmann::json::array();
  nlohmann::json images = nlohmann::json::array();  // each container's, in order (older clients read it)
  for (const auto& c : plan.containers) {
    nlohmann::json env_keys = nlohmann::json::array();
    for (const auto& [key, value] : c.env) env_keys.push_back(key);
    nlohmann::json container{{"service", c.service}, {"name", c.name}, {"image", c.image},
                             {"network", c.network}, {"env_keys", env_keys},
                             {"port", c.port ? nlohmann::json(*c.port) : nlohmann::json(nullptr)},
                             {"action", to_string(c.action)}, {"env_source", to_string(c.env_source)}};
    if (c.pinned_to_digest) container["pinned_to_digest"] = true;
    if (!c.expected_image_id.empty()) container["image_id"] = c.expected_image_id;
    if (c.replaces) container["replaces"] = *c.replaces;
    if (c.build) container["built"] = true;
    images.push_back(c.image);
    containers.push_back(std::move(container));
  }
  nlohmann::json upstreams = nlohmann::json::array();
  for (std::size_t i = 0; i < plan.upstreams.size(); ++i) {
    const auto& next = plan.upstreams[i];
    nlohmann::json diff{{"file", router::upstream_file_name(next)}, {"to", next.servers}};
    for (const auto& prev : plan.previous_upstreams) {
      if (prev.service == next.service) diff["from"] = prev.servers;
    }
    upstreams.push_back(std::move(diff));
  }
  nlohmann::json json{{"kind", proto::to_string(plan.kind)},
                      {"version", plan.version},
                      {"target_color", plan.target_color},
                      {"live_color", plan.live_color},
                      {"live_version", plan.live_version},
                      {"images", std::move(images)},
                      {"to_pull", images_to_pull(plan)},
                      {"containers", std::move(containers)},
                      {"upstreams", std::move(upstreams)},
                      {"drain", plan.drain.count()},
                      {"env_file", plan.env_file ? nlohmann::json(*plan.env_file) : nlohmann::json(nullptr)}};
  if (plan.source) {
    json["build_mode"] = true;
    json["source_ref"] = plan.source_ref;
    json["commit"] = plan.commit.empty() ? nlohmann::json(nullptr) : nlohmann::json(plan.commit);
  }
  if (plan.kind == proto::DeploymentKind::rollback) {
    json["current_env"] = plan.current_env;
    json["reuse_warm_containers"] = plan.reuse_warm_containers;
  }
  if (plan.rollback) {
    const auto& r = *plan.rollback;
    json["rollback"] = {{"of_deployment", r.deployment_id},
                        {"env_source", to_string(r.env_source)},
                        {"env_changed", r.env_changed},
                        {"snapshot_missing", r.snapshot_missing},
                        {"recreate_retained", r.recreate_retained},
                        {"pin_secret_versions", r.pin_secret_versions}};
    if (r.pin_secret_versions) json["rollback"]["secret_versions"] = proto::to_json(r.secret_versions);
  }
  if (plan.promotion) {
    json["promotion"] = {{"from_env", plan.promotion->from_env}, {"of_deployment", plan.promotion->of_deployment}};
  }
  if (plan.canary) {
    auto steps = nlohmann::json::array();
    for (const auto& step : plan.canary->steps) steps.push_back({{"weight", step.weight}, {"for_ms", step.duration.count()}});
    const auto& a = plan.canary->analysis;
    json["canary"] = {{"steps", steps},
                      {"steps_from", plan.canary->steps_from},
                      {"analysis", {{"max_error_ratio", a.max_error_ratio}, {"max_p95_ratio", a.max_p95_ratio},
                                    {"min_requests", a.min_requests}}}};
  } else if (!plan.canary_skipped.empty()) {
    json["canary"] = {{"skipped", plan.canary_skipped}};
  }
  if (plan.migration) {
    json["migration"] = {{"service", plan.migration->service},
                         {"image", plan.migration->image},
                         {"command", plan.migration->command}};
  }
  return json;
}

}  // namespace fical::agent::deploy
