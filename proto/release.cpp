#include "proto/release.hpp"

#include <algorithm>

namespace fical::proto {
namespace {

std::string text(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

ServiceImage service_image_from_json(const nlohmann::json& json) {
  return {json.at("service").get<std::string>(), json.at("image").get<std::string>(),
          text(json, "digest"), text(json, "image_id")};
}

ContainerStatus container_from_json(const nlohmann::json& json) {
  return {text(json, "service"), text(json, "color"),  text(json, "name"), text(json, "id"),
          text(json, "version"), text(json, "state"), text(json, "health")};
}

}  // namespace

nlohmann::json to_json(const ServiceImage& image) {
  return {{"service", image.service},
          {"image", image.image},
          {"digest", image.digest},
          {"image_id", image.image_id}};
}

nlohmann::json to_json(const std::vector<SecretVersion>& versions) {
  auto out = nlohmann::json::array();
  for (const auto& v : versions) out.push_back(to_json(v));
  return out;
}

nlohmann::json to_json(const SecretVersion& version) {
  nlohmann::json json{{"source", version.source}, {"name", version.name}, {"version", version.version}};
  if (!version.service.empty()) json["service"] = version.service;
  return json;
}

nlohmann::json to_json(const Release& release) {
  nlohmann::json images = nlohmann::json::array();
  for (const auto& image : release.images) images.push_back(to_json(image));
  nlohmann::json json{{"version", release.version},
                      {"color", release.color},
                      {"images", std::move(images)},
                      {"deployment_id", release.deployment_id},
                      {"deployed_by", release.deployed_by},
                      {"deployed_at", format_time(release.deployed_at)}};
  if (!release.commit.empty()) json["commit"] = release.commit;
  if (!release.env_hash.empty()) json["env_hash"] = release.env_hash;
  if (!release.upstreams.empty()) json["upstreams"] = release.upstreams;
  if (!release.specs.empty()) {
    for (const auto& [service, spec] : release.specs) json["specs"][service] = to_json(spec);
  }
  if (!release.secret_versions.empty()) {
    json["secret_versions"] = to_json(release.secret_versions);
  }
  return json;
}

nlohmann::json to_json(const ContainerStatus& c) {
  return {{"service", c.service}, {"color", c.color}, {"name", c.name},    {"id", c.id},
          {"version", c.version}, {"state", c.state}, {"health", c.health}};
}

nlohmann::json to_json(const EnvStatus& status) {
  nlohmann::json containers = nlohmann::json::array();
  for (const auto& c : status.containers) containers.push_back(to_json(c));
  nlohmann::json json{{"app", status.app},
                      {"env", status.env},
                      {"live", status.live ? to_json(*status.live) : nlohmann::json(nullptr)},
                      {"containers", std::move(containers)},
                      {"containers_view", to_string(status.containers_view)},
                      {"running", status.running ? to_json(*status.running, false)
                                                 : nlohmann::json(nullptr)},
                      {"maintenance", status.maintenance ? to_json(*status.maintenance) : nlohmann::json(nullptr)}};
  return json;
}

nlohmann::json to_json(const MaintenanceStatus& m) {
  return {{"message", m.message},
          {"retry_after", m.retry_after_seconds},
          {"since", format_time(m.since)},
          {"by", m.by}};
}

MaintenanceStatus maintenance_from_json(const nlohmann::json& json) {
  MaintenanceStatus m;
  m.message = json.value("message", "");
  m.retry_after_seconds = json.value("retry_after", std::int64_t{600});
  if (auto since = parse_time(json.value("since", ""))) m.since = *since;
  m.by = json.value("by", "");
  return m;
}

nlohmann::json to_json(const AppSummary& app) {
  nlohmann::json envs = nlohmann::json::array();
  for (const auto& e : app.environments) {
    envs.push_back({{"name", e.name},
                    {"live_version", e.live_version},
                    {"live_color", e.live_color},
                    {"running_deployment", e.running_deployment}});
  }
  return {{"name", app.name}, {"environments", std::move(envs)}};
}

const Release* latest_release(const std::vector<Release>& history, const std::string& version) {
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->version == version) return &*it;
  }
  return nullptr;
}

std::size_t first_retained(std::size_t size, int retain) {
  auto kept = static_cast<std::size_t>(std::max(retain, 0));
  return size > kept ? size - kept : 0;
}

Release release_from_json(const nlohmann::json& json) {
  Release release;
  release.version = json.at("version").get<std::string>();
  release.color = text(json, "color");
  for (const auto& image : json.value("images", nlohmann::json::array())) {
    release.images.push_back(service_image_from_json(image));
  }
  release.commit = text(json, "commit");
  release.deployment_id = text(json, "deployment_id");
  release.deployed_by = text(json, "deployed_by");
  auto at = parse_time(text(json, "deployed_at"));
  if (!at) throw nlohmann::json::other_error::create(501, "deployed_at: not a time", &json);
  release.deployed_at = *at;
  release.env_hash = text(json, "env_hash");
  if (auto it = json.find("upstreams"); it != json.end() && it->is_object()) {
    for (const auto& [service, file] : it->items()) release.upstreams[service] = file.get<std::string>();
  }
  if (auto it = json.find("specs"); it != json.end() && it->is_object()) {
    for (const auto& [service, spec] : it->items()) release.specs[service] = service_spec_from_json(spec);
  }
  // Records from before secret pinning have none.
  for (const auto& v : json.value("secret_versions", nlohmann::json::array())) {
    release.secret_versions.push_back({v.at("source").get<std::string>(), v.at("name").get<std::string>(),
                                       v.at("version").get<std::string>(), v.value("service", std::string())});
  }
  return release;
}

std::string_view to_string(ContainersView view) {
  switch (view) {
    case ContainersView::current: return "current";
    case ContainersView::stale: return "stale";
    case ContainersView::unknown: break;
  }
  return "unknown";
}

ContainersView containers_view_from(std::string_view text) {
  if (text == "current") return ContainersView::current;
  if (text == "stale") return ContainersView::stale;
  return ContainersView::unknown;
}

EnvStatus env_status_from_json(const nlohmann::json& json) {
  EnvStatus status;
  status.app = json.at("app").get<std::string>();
  status.env = json.at("env").get<std::string>();
  if (auto it = json.find("live"); it != json.end() && !it->is_null()) {
    status.live = release_from_json(*it);
  }
  for (const auto& c : json.value("containers", nlohmann::json::array())) {
    status.containers.push_back(container_from_json(c));
  }
  status.containers_view = containers_view_from(json.value("containers_view", std::string("current")));
  if (auto it = json.find("running"); it != json.end() && !it->is_null()) {
    status.running = deployment_from_json(*it);
  }
  if (auto it = json.find("maintenance"); it != json.end() && it->is_object()) {
    status.maintenance = maintenance_from_json(*it);
  }
  return status;
}

AppSummary app_summary_from_json(const nlohmann::json& json) {
  AppSummary app;
  app.name = json.at("name").get<std::string>();
  for (const auto& e : json.value("environments", nlohmann::json::array())) {
    app.environments.push_back({e.at("name").get<std::string>(), text(e, "live_version"),
                                text(e, "live_color"), text(e, "running_deployment")});
  }
  return app;
}

}  // namespace fical::proto
