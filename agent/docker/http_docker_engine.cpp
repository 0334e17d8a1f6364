// HttpDockerEngine: version negotiation and the plain request/answer calls. The streaming
// calls are in http_docker_engine_streams.cpp. No Asio here: bytes move through Transport.
#include "agent/docker/http_docker_engine.hpp"

#include <algorithm>
#include <cstdio>

#include "agent/docker/parse.hpp"
#include "agent/docker/requests.hpp"
#include "agent/docker/transport.hpp"

namespace fical::agent::docker {

namespace {

/// "1.41" -> {1, 41}; garbage -> {0, 0}.
std::pair<int, int> version_number(const std::string& v) {
  int major = 0, minor = 0;
  if (std::sscanf(v.c_str(), "%d.%d", &major, &minor) != 2) return {0, 0};
  return {major, minor};
}

}  // namespace

HttpDockerEngine::HttpDockerEngine(Options options)
    : HttpDockerEngine(options, make_unix_socket_transport(options.socket_path)) {}

HttpDockerEngine::HttpDockerEngine(Options options, std::unique_ptr<Transport> transport)
    : options_(std::move(options)), transport_(std::move(transport)) {}

HttpDockerEngine::~HttpDockerEngine() = default;

std::string HttpDockerEngine::api_version() {
  std::lock_guard lock(version_mutex_);
  auto broken = transport_->broken_connections();
  if (!negotiated_.empty() && broken == negotiated_at_) return negotiated_;
  auto ping = requests::ping();
  auto response = transport_->send(ping, Clock::now() + options_.call_timeout);
  if (response.status != 200) throw http_error(ping.describe(), response.status, response.body);
  auto daemon = response.headers["api-version"];
  if (version_number(daemon) == std::pair{0, 0}) {
    throw DockerError(DockerErrorKind::malformed,
                      "docker: /_ping on " + options_.socket_path + " gave no Api-Version");
  }
  // Like the official SDKs: the lower of ours and the daemon's highest.
  negotiated_ = version_number(daemon) < version_number(max_api_version) ? daemon
                                                                           : max_api_version;
  negotiated_at_ = transport_->broken_connections();
  return negotiated_;
}

HttpDockerEngine::Answer HttpDockerEngine::call(Request request, std::chrono::milliseconds timeout,
                                                std::initializer_list<int> also_ok) {
  auto what = request.describe();
  request.target = versioned_target(api_version(), request.target);
  auto response = transport_->send(request, Clock::now() + timeout);
  bool ok = (response.status >= 200 && response.status < 300) ||
            std::find(also_ok.begin(), also_ok.end(), response.status) != also_ok.end();
  if (!ok) throw http_error(what, response.status, response.body);
  return {response.status, std::move(response.body)};
}

VersionInfo HttpDockerEngine::version() {
  auto negotiated = api_version();
  auto info = parse::version(call(requests::version(), options_.call_timeout).body);
  info.negotiated_version = negotiated;
  return info;
}

DaemonInfo HttpDockerEngine::info() {
  return parse::daemon_info(call(requests::info(), options_.call_timeout).body);
}

std::optional<ImageInfo> HttpDockerEngine::inspect_image(const std::string& ref) {
  auto answer = call(requests::inspect_image(ref), options_.call_timeout, {404});
  if (answer.status == 404) return std::nullopt;
  return parse::image_info(answer.body);
}

DistributionInfo HttpDockerEngine::distribution(const std::string& ref, const std::optional<RegistryAuth>& auth) {
  return parse::distribution_info(call(requests::distribution(ref, auth), options_.call_timeout).body);
}

void HttpDockerEngine::tag_image(const std::string& source, const std::string& repo,
                                 const std::string& tag) {
  call(requests::tag_image(source, repo, tag), options_.call_timeout);
}

void HttpDockerEngine::remove_image(const std::string& ref, bool force) {
  call(requests::remove_image(ref, force), options_.call_timeout, {404});
}

std::vector<ImageSummary> HttpDockerEngine::list_images(const ImageFilters& filters) {
  return parse::image_summaries(call(requests::list_images(filters), options_.call_timeout).body);
}

std::string HttpDockerEngine::create_container(const ContainerSpec& spec) {
  auto answer = call(requests::create_container(spec), options_.call_timeout);
  return parse::created_id(answer.body, "POST /containers/create");
}

void HttpDockerEngine::start_container(const std::string& id) {
  call(requests::start_container(id), options_.call_timeout, {304});  // 304: already running
}

void HttpDockerEngine::stop_container(const std::string& id, std::chrono::seconds timeout) {
  // Docker blocks up to `timeout` before it kills: the deadline must outlast it.
  // 304: already stopped; 404: already gone (removed by hand), which is stopped too.
  call(requests::stop_container(id, timeout), options_.call_timeout + timeout, {304, 404});
}

void HttpDockerEngine::kill_container(const std::string& id, const std::string& signal) {
  call(requests::kill_container(id, signal), options_.call_timeout, {409});  // 409: not running
}

void HttpDockerEngine::remove_container(const std::string& id, bool force) {
  call(requests::remove_container(id, force), options_.call_timeout, {404});  // gone already
}

std::optional<ContainerInfo> HttpDockerEngine::inspect_container(const std::string& id) {
  auto answer = call(requests::inspect_container(id), options_.call_timeout, {404});
  if (answer.status == 404) return std::nullopt;
  return parse::container_info(answer.body);
}

std::vector<ContainerSummary> HttpDockerEngine::list_containers(const ContainerFilters& filters) {
  return parse::container_summaries(
      call(requests::list_containers(filters), options_.call_timeout).body);
}

void HttpDockerEngine::rename_container(const std::string& id, const std::string& new_name) {
  call(requests::rename_container(id, new_name), options_.call_timeout);
}

int HttpDockerEngine::wait_container(const std::string& id, std::chrono::milliseconds timeout) {
  return parse::wait_status(call(requests::wait_container(id), timeout).body);
}

std::optional<NetworkInfo> HttpDockerEngine::inspect_network(const std::string& name) {
  auto answer = call(requests::inspect_network(name), options_.call_timeout, {404});
  if (answer.status == 404) return std::nullopt;
  return parse::network_info(answer.body);
}

void HttpDockerEngine::connect_network(const std::string& network, const std::string& container,
                                       const std::vector<std::string>& aliases) {
  call(requests::connect_network(network, container, aliases), options_.call_timeout);
}

}  // namespace fical::agent::docker
