#pragma once
// Names and labels fical gives containers and images. Pure.
#include <map>
#include <string>
#include <vector>

namespace fical::agent::deploy {

inline constexpr const char* kBlue = "blue";
inline constexpr const char* kGreen = "green";

/// blue <-> green; the first deploy (no live color) starts blue.
std::string other_color(const std::string& color);

/// "{app}-{env}-{service}-{color}"
std::string container_name(const std::string& app, const std::string& env, const std::string& service,
                           const std::string& color);

/// "{app}-{env}-{service}-migrate-{deployment_id}": one deployment's migration container.
std::string migration_container_name(const std::string& app, const std::string& env, const std::string& service,
                                     const std::string& deployment_id);

/// "{container}--{deployment_id}": a new container created while the migration runs,
/// renamed to `container` just before it starts (reconcile removes one a crash left behind
/// by its fical.deployment label).
std::string staging_name(const std::string& container, const std::string& deployment_id);

/// Labels on every container fical creates: fical.app, .env, .service, .color, .release,
/// .deployment. Reconciliation and status find containers by them.
std::map<std::string, std::string> container_labels(const std::string& app, const std::string& env,
                                                    const std::string& service, const std::string& color,
                                                    const std::string& version,
                                                    const std::string& deployment_id);

/// Docker label filters ("key=value") for fical's containers of `app`/`env` with `role`
/// ("app" or "migration"); an empty argument filters nothing on that label.
std::vector<std::string> label_filters(const std::string& app, const std::string& env, const std::string& role = {});

/// The value of label `key`, or empty when the container does not carry it.
std::string label_value(const std::map<std::string, std::string>& labels, const char* key);

namespace labels {
inline constexpr const char* kApp = "fical.app";
inline constexpr const char* kEnv = "fical.env";
inline constexpr const char* kService = "fical.service";
inline constexpr const char* kColor = "fical.color";
inline constexpr const char* kRelease = "fical.release";
inline constexpr const char* kDeployment = "fical.deployment";
inline constexpr const char* kRole = "fical.role";  // "app" or "migration"
}  // namespace labels

}  // namespace fical::agent::deploy
