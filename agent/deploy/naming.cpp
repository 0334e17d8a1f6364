#include "agent/deploy/naming.hpp"

namespace fical::agent::deploy {

std::string label_value(const std::map<std::string, std::string>& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() ? std::string() : it->second;
}

std::string other_color(const std::string& color) { return color == kBlue ? kGreen : kBlue; }

std::string container_name(const std::string& app, const std::string& env, const std::string& service,
                           const std::string& color) {
  return app + "-" + env + "-" + service + "-" + color;
}

std::string staging_name(const std::string& container, const std::string& deployment_id) {
  return container + "--" + deployment_id;
}

std::string migration_container_name(const std::string& app, const std::string& env, const std::string& service,
                                     const std::string& deployment_id) {
  return app + "-" + env + "-" + service + "-migrate-" + deployment_id;
}

std::vector<std::string> label_filters(const std::string& app, const std::string& env, const std::string& role) {
  std::vector<std::string> out;
  if (!app.empty()) out.push_back(std::string(labels::kApp) + "=" + app);
  if (!env.empty()) out.push_back(std::string(labels::kEnv) + "=" + env);
  if (!role.empty()) out.push_back(std::string(labels::kRole) + "=" + role);
  return out;
}

std::map<std::string, std::string> container_labels(const std::string& app, const std::string& env,
                                                    const std::string& service, const std::string& color,
                                                    const std::string& version,
                                                    const std::string& deployment_id) {
  return {{labels::kApp, app},        {labels::kEnv, env},          {labels::kService, service},
          {labels::kColor, color},    {labels::kRelease, version},  {labels::kDeployment, deployment_id},
          {labels::kRole, "app"}};
}

}  // namespace fical::agent::deploy
