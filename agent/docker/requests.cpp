#include "agent/docker/requests.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace fical::agent::docker {

using nlohmann::json;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

/// An id or name placed in a path: never empty, one encoded segment.
std::string path_part(std::string_view value, std::string_view what) {
  if (value.empty()) throw std::invalid_argument("docker: empty " + std::string(what));
  return percent_encode(value, ":@");
}

/// An image reference keeps its slashes ("ghcr.io/o/app:v1"); Docker's route takes them.
std::string image_part(std::string_view ref) {
  if (ref.empty() || ref.find("..") != std::string_view::npos) {
    throw std::invalid_argument("docker: bad image reference '" + std::string(ref) + "'");
  }
  return percent_encode(ref, "/:@");
}

/// Builds "?a=1&b=2" with encoded values; empty when nothing was added.
class Query {
 public:
  Query& add(std::string_view key, std::string_view value) {
    text_ += text_.empty() ? '?' : '&';
    text_ += key;
    text_ += '=';
    text_ += percent_encode(value);
    return *this;
  }
  Query& flag(std::string_view key, bool on) { return on ? add(key, "1") : *this; }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

Request make(std::string method, std::string target, std::string body = {}) {
  Request r{std::move(method), std::move(target), {}, std::move(body)};
  if (!r.body.empty()) r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

std::int64_t nanoseconds(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

/// Docker's filter JSON: {"label": {"a=b": true}} (the map form every API version accepts).
void add_filter(json& filters, std::string_view key, const std::vector<std::string>& values) {
  for (const auto& v : values) filters[std::string(key)][v] = true;
}

json healthcheck_json(const HealthcheckSpec& h) {
  json out = {{"Test", h.test}};
  if (h.interval.count() > 0) out["Interval"] = nanoseconds(h.interval);
  if (h.timeout.count() > 0) out["Timeout"] = nanoseconds(h.timeout);
  if (h.start_period.count() > 0) out["StartPeriod"] = nanoseconds(h.start_period);
  if (h.retries > 0) out["Retries"] = h.retries;
  return out;
}

json host_config(const ContainerSpec& spec) {
  json restart = {{"Name", spec.restart_policy}};
  if (spec.restart_policy == "on-failure") restart["MaximumRetryCount"] = spec.restart_max_retries;
  json host = {{"NetworkMode", spec.network}, {"RestartPolicy", restart}};
  if (!spec.binds.empty()) host["Binds"] = spec.binds;
  if (spec.memory_bytes > 0) host["Memory"] = spec.memory_bytes;
  if (spec.nano_cpus > 0) host["NanoCpus"] = spec.nano_cpus;
  if (spec.init) host["Init"] = true;
  if (!spec.log_options.empty()) host["LogConfig"] = {{"Type", "json-file"}, {"Config", spec.log_options}};
  if (spec.network != "host" && !spec.ports.empty()) {
    json bindings = json::object();
    for (const auto& p : spec.ports) {
      auto key = std::to_string(p.container_port) + "/" + p.protocol;
      bindings[key].push_back({{"HostIp", p.host_ip},
                               {"HostPort", p.host_port ? std::to_string(p.host_port) : ""}});
    }
    host["PortBindings"] = bindings;
  }
  return host;
}

}  // namespace

std::string Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

std::string Request::describe() const {
  return method + " " + target.substr(0, target.find('?'));
}

std::string versioned_target(std::string_view api_version, std::string_view target) {
  if (target == "/_ping" || api_version.empty()) return std::string(target);
  return "/v" + std::string(api_version) + std::string(target);
}

namespace requests {

Request ping() { return make("GET", "/_ping"); }
Request version() { return make("GET", "/version"); }
Request info() { return make("GET", "/info"); }

Request pull(const PullSpec& spec) {
  if (spec.image.empty()) throw std::invalid_argument("docker: pull of an empty image name");
  // An empty tag would pull every tag of the repository.
  auto tag = spec.tag.empty() ? std::string("latest") : spec.tag;
  auto r = make("POST", "/images/create" + Query().add("fromImage", spec.image).add("tag", tag).str());
  if (spec.auth) r.headers.emplace_back("X-Registry-Auth", registry_auth_header(*spec.auth));
  return r;
}

Request inspect_image(std::string_view ref) {
  return make("GET", "/images/" + image_part(ref) + "/json");
}

Request distribution(std::string_view ref, const std::optional<RegistryAuth>& auth) {
  auto r = make("GET", "/distribution/" + image_part(ref) + "/json");
  if (auth) r.headers.emplace_back("X-Registry-Auth", registry_auth_header(*auth));
  return r;
}

Request tag_image(std::string_view source, std::string_view repo, std::string_view tag) {
  if (repo.empty() || tag.empty()) throw std::invalid_argument("docker: tag needs repo and tag");
  return make("POST", "/images/" + image_part(source) + "/tag" +
                          Query().add("repo", repo).add("tag", tag).str());
}

Request remove_image(std::string_view ref, bool force) {
  return make("DELETE", "/images/" + image_part(ref) + Query().flag("force", force).str());
}

Request list_images(const ImageFilters& filters) {
  json f = json::object();
  add_filter(f, "label", filters.labels);
  if (!filters.reference.empty()) add_filter(f, "reference", {filters.reference});
  if (filters.dangling) add_filter(f, "dangling", {"true"});
  Query q;
  if (!f.empty()) q.add("filters", f.dump());
  return make("GET", "/images/json" + q.str());
}

Request create_container(const ContainerSpec& spec) {
  if (spec.image.empty()) throw std::invalid_argument("docker: container spec without image");
  json body = {{"Image", spec.image}, {"Env", spec.env}, {"Labels", spec.labels},
               {"Tty", spec.tty}, {"HostConfig", host_config(spec)}};
  if (!spec.cmd.empty()) body["Cmd"] = spec.cmd;
  if (!spec.entrypoint.empty()) body["Entrypoint"] = spec.entrypoint;
  if (spec.healthcheck) body["Healthcheck"] = healthcheck_json(*spec.healthcheck);
  if (!spec.user.empty()) body["User"] = spec.user;
  if (!spec.stop_signal.empty()) body["StopSignal"] = spec.stop_signal;
  if (spec.network != "host") {
    json endpoint = json::object();
    if (!spec.network_aliases.empty()) endpoint["Aliases"] = spec.network_aliases;
    body["NetworkingConfig"]["EndpointsConfig"][spec.network] = endpoint;
    if (!spec.ports.empty()) {
      for (const auto& p : spec.ports) {
        body["ExposedPorts"][std::to_string(p.container_port) + "/" + p.protocol] = json::object();
      }
    }
  }
  Query q;
  if (!spec.name.empty()) q.add("name", spec.name);
  return make("POST", "/containers/create" + q.str(), body.dump());
}

Request start_container(std::string_view id) {
  return make("POST", "/containers/" + path_part(id, "container") + "/start");
}

Request stop_container(std::string_view id, std::chrono::seconds timeout) {
  return make("POST", "/containers/" + path_part(id, "container") + "/stop" +
                          Query().add("t", std::to_string(timeout.count())).str());
}

Request kill_container(std::string_view id, std::string_view signal) {
  return make("POST", "/containers/" + path_part(id, "container") + "/kill" +
                          Query().add("signal", signal.empty() ? "SIGKILL" : signal).str());
}

Request remove_container(std::string_view id, bool force) {
  return make("DELETE", "/containers/" + path_part(id, "container") +
                            Query().flag("force", force).str());
}

Request inspect_container(std::string_view id) {
  return make("GET", "/containers/" + path_part(id, "container") + "/json");
}

Request list_containers(const ContainerFilters& filters) {
  json f = json::object();
  add_filter(f, "label", filters.labels);
  if (!filters.name.empty()) add_filter(f, "name", {filters.name});
  Query q;
  q.flag("all", filters.all);
  if (!f.empty()) q.add("filters", f.dump());
  return make("GET", "/containers/json" + q.str());
}

Request rename_container(std::string_view id, std::string_view new_name) {
  if (new_name.empty()) throw std::invalid_argument("docker: rename to an empty name");
  return make("POST", "/containers/" + path_part(id, "container") + "/rename" +
                          Query().add("name", new_name).str());
}

Request wait_container(std::string_view id) {
  return make("POST", "/containers/" + path_part(id, "container") + "/wait" +
                          Query().add("condition", "not-running").str());
}

Request create_exec(std::string_view container, const ExecSpec& spec) {
  if (spec.cmd.empty()) throw std::invalid_argument("docker: exec without a command");
  json body = {{"Cmd", spec.cmd}, {"AttachStdout", true}, {"AttachStderr", true},
               {"AttachStdin", false}, {"Tty", false}};
  if (!spec.env.empty()) body["Env"] = spec.env;
  if (!spec.user.empty()) body["User"] = spec.user;
  return make("POST", "/containers/" + path_part(container, "container") + "/exec", body.dump());
}

Request start_exec(std::string_view exec_id) {
  return make("POST", "/exec/" + path_part(exec_id, "exec id") + "/start",
              json{{"Detach", false}, {"Tty", false}}.dump());
}

Request inspect_exec(std::string_view exec_id) {
  return make("GET", "/exec/" + path_part(exec_id, "exec id") + "/json");
}

Request logs(std::string_view container, const LogOptions& options) {
  Query q;
  q.flag("stdout", options.include_stdout).flag("stderr", options.include_stderr);
  q.flag("timestamps", options.timestamps).flag("follow", options.follow);
  q.add("tail", options.tail ? std::to_string(*options.tail) : "all");
  if (options.since) q.add("since", std::to_string(*options.since));
  return make("GET", "/containers/" + path_part(container, "container") + "/logs" + q.str());
}

Request events(const EventFilters& filters) {
  json f = json::object();
  add_filter(f, "type", filters.types);
  add_filter(f, "event", filters.events);
  add_filter(f, "label", filters.labels);
  add_filter(f, "container", filters.containers);
  Query q;
  if (filters.since) q.add("since", std::to_string(*filters.since));
  if (filters.until) q.add("until", std::to_string(*filters.until));
  if (!f.empty()) q.add("filters", f.dump());
  return make("GET", "/events" + q.str());
}

Request build(const BuildOptions& options, std::string context_tar) {
  Query q;
  for (const auto& t : options.tags) q.add("t", t);
  q.add("dockerfile", options.dockerfile);
  if (!options.target.empty()) q.add("target", options.target);
  if (!options.buildargs.empty()) q.add("buildargs", json(options.buildargs).dump());
  if (!options.labels.empty()) q.add("labels", json(options.labels).dump());
  q.flag("nocache", options.nocache).flag("pull", options.pull);
  q.add("rm", "1").add("forcerm", "1").add("version", "1");
  Request r{"POST", "/build" + q.str(), {{"Content-Type", "application/x-tar"}},
            std::move(context_tar)};
  return r;
}

Request inspect_network(std::string_view name) {
  return make("GET", "/networks/" + path_part(name, "network"));
}

Request connect_network(std::string_view network, std::string_view container,
                        const std::vector<std::string>& aliases) {
  json body = {{"Container", std::string(container)}};
  body["EndpointConfig"] = json::object();
  if (!aliases.empty()) body["EndpointConfig"]["Aliases"] = aliases;
  return make("POST", "/networks/" + path_part(network, "network") + "/connect", body.dump());
}

}  // namespace requests
}  // namespace fical::agent::docker
