#include "tests/support/fake_docker_engine.hpp"

#include <algorithm>
#include <thread>

namespace fical::testing {

using namespace agent::docker;

namespace {

DockerError not_found(const std::string& what) { return DockerError(DockerErrorKind::http, what + ": 404 no such object", 404); }

}  // namespace

void FakeDockerEngine::add_registry_image(const std::string& ref, FakeImageBehaviour behaviour) {
  std::lock_guard lock(mutex_);
  registry_[ref] = behaviour;
}

void FakeDockerEngine::add_local_image(const std::string& ref, const std::string& id) {
  std::lock_guard lock(mutex_);
  ImageInfo image;
  image.id = id;
  image.repo_tags = {ref};
  images_[ref] = image;
}

void FakeDockerEngine::fail_next(const std::string& call_prefix, DockerError error) {
  std::lock_guard lock(mutex_);
  failures_.emplace_back(call_prefix, std::move(error));
}

std::vector<std::string> FakeDockerEngine::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<std::string> FakeDockerEngine::calls_starting(const std::string& prefix) const {
  std::vector<std::string> out;
  for (const auto& c : calls()) {
    if (c.rfind(prefix, 0) == 0) out.push_back(c);
  }
  return out;
}

std::optional<ContainerInfo> FakeDockerEngine::container(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = containers_.find(name);
  if (it == containers_.end()) return std::nullopt;
  return it->second.info;
}

void FakeDockerEngine::stop_by_hand(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& c = containers_.at(name).info;
  c.state.running = false;
  c.state.status = "exited";
  c.network_ips.clear();
}

void FakeDockerEngine::remove_by_hand(const std::string& name) {
  std::lock_guard lock(mutex_);
  containers_.erase(name);
}

void FakeDockerEngine::set_down(bool down) {
  std::lock_guard lock(mutex_);
  down_ = down;
}

void FakeDockerEngine::record(const std::string& line) {
  calls_.push_back(line);
  if (on_call) on_call(line);
  if (down_) throw DockerError(DockerErrorKind::unreachable, line + ": cannot connect to the Docker daemon");
  for (auto it = failures_.begin(); it != failures_.end(); ++it) {
    if (line.rfind(it->first, 0) == 0) {
      auto error = it->second;
      failures_.erase(it);
      throw error;
    }
  }
}

FakeDockerEngine::Container* FakeDockerEngine::find(const std::string& name_or_id) {
  if (auto it = containers_.find(name_or_id); it != containers_.end()) return &it->second;
  for (auto& [name, c] : containers_) {
    if (c.info.id == name_or_id) return &c;
  }
  return nullptr;
}

VersionInfo FakeDockerEngine::version() {
  std::lock_guard lock(mutex_);
  record("version");
  return {"20.10.24", "1.41", "1.12", "1.41"};
}

DaemonInfo FakeDockerEngine::info() {
  std::lock_guard lock(mutex_);
  record("info");
  return {"fake", "/", "overlay2"};
}

void FakeDockerEngine::pull(const PullSpec& spec, const PullCallback& on_progress) {
  std::lock_guard lock(mutex_);
  auto ref = spec.image + ":" + spec.tag;
  record("pull " + ref);
  auto it = registry_.find(ref);
  if (it == registry_.end()) throw DockerError(DockerErrorKind::stream, "manifest for " + ref + " not found");
  if (on_progress && !on_progress({"Pull complete", spec.tag, 1, 1})) {
    throw DockerError(DockerErrorKind::cancelled, "pull cancelled");
  }
  ImageInfo image;
  image.id = "sha256:image-" + ref;
  image.repo_tags = {ref};
  image.repo_digests = {spec.image + "@sha256:digest-" + spec.tag};
  images_[ref] = image;
}

std::optional<ImageInfo> FakeDockerEngine::inspect_image(const std::string& ref) {
  std::lock_guard lock(mutex_);
  record("inspect_image " + ref);
  if (auto it = images_.find(ref); it != images_.end()) return it->second;
  for (const auto& [tag_ref, image] : images_) {  // by digest
    for (const auto& digest : image.repo_digests) {
      if (digest == ref) return image;
    }
  }
  return std::nullopt;
}

DistributionInfo FakeDockerEngine::distribution(const std::string& ref, const std::optional<RegistryAuth>&) {
  if (before_distribution) before_distribution(ref);
  std::lock_guard lock(mutex_);
  record("distribution " + ref);
  return {"sha256:digest-" + ref.substr(ref.rfind(':') + 1), "application/vnd.oci.image.manifest.v1+json"};
}

void FakeDockerEngine::tag_image(const std::string& source, const std::string& repo, const std::string& tag) {
  std::lock_guard lock(mutex_);
  record("tag " + source + " " + repo + ":" + tag);
}

void FakeDockerEngine::remove_image(const std::string& ref, bool) {
  std::lock_guard lock(mutex_);
  record("remove_image " + ref);
  images_.erase(ref);
}

std::vector<ImageSummary> FakeDockerEngine::list_images(const ImageFilters&) {
  std::lock_guard lock(mutex_);
  record("list_images");
  return {};
}

BuildResult FakeDockerEngine::build(const BuildOptions& options, std::string, const BuildCallback&) {
  std::lock_guard lock(mutex_);
  record("build " + (options.tags.empty() ? std::string() : options.tags.front()));
  throw DockerError(DockerErrorKind::stream, "the fake engine does not build");
}

std::string FakeDockerEngine::create_container(const ContainerSpec& spec) {
  std::lock_guard lock(mutex_);
  record("create " + spec.name);
  if (!images_.count(spec.image)) {
    bool by_digest = false;
    for (const auto& [ref, image] : images_) {
      by_digest = by_digest || std::count(image.repo_digests.begin(), image.repo_digests.end(), spec.image) > 0;
    }
    if (!by_digest) throw not_found("create " + spec.name + ": no such image " + spec.image);
  }
  if (containers_.count(spec.name)) {
    throw DockerError(DockerErrorKind::http, "create " + spec.name + ": 409 name in use", 409);
  }
  Container c;
  c.spec = spec;
  c.info.id = "id-" + std::to_string(next_id_++);
  c.info.name = spec.name;
  c.info.image_ref = spec.image;
  c.info.labels = spec.labels;
  c.info.env = spec.env;
  c.info.network_mode = spec.network;
  c.info.networks = {spec.network};
  c.info.state.status = "created";
  containers_[spec.name] = c;
  return c.info.id;
}

void FakeDockerEngine::start_container(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto* c = find(id);
  record("start " + (c ? c->info.name : id));
  if (!c) throw not_found("start " + id);
  auto behaviour = registry_.count(c->spec.image) ? registry_[c->spec.image] : FakeImageBehaviour{};
  for (const auto& [ref, b] : registry_) {  // a digest reference behaves as its tag
    auto repo = ref.substr(0, ref.rfind(':'));
    if (c->spec.image == repo + "@sha256:digest-" + ref.substr(ref.rfind(':') + 1)) behaviour = b;
  }
  auto& state = c->info.state;
  if (behaviour.exits) {
    died_.push_back({"container", "die", c->info.id, {{"exitCode", std::to_string(*behaviour.exits)}}, 0});
    state.running = false;
    state.status = "exited";
    state.exit_code = *behaviour.exits;
    if (!behaviour.restarted) return;
    state.running = true;
    state.status = "running";
    state.exit_code = 0;
    c->info.restart_count = 1;
    return;
  }
  state.running = true;
  state.status = "running";
  state.health.status = behaviour.health;
  if (c->spec.network != "host") {
    for (const auto& network : c->info.networks) {
      c->info.network_ips[network] = "10.0.0." + std::to_string(next_address_++);
    }
  }
}

void FakeDockerEngine::stop_container(const std::string& id, std::chrono::seconds) {
  std::lock_guard lock(mutex_);
  auto* c = find(id);
  record("stop " + (c ? c->info.name : id));
  if (!c) return;  // already gone: success, as the engine's contract says
  c->info.state.running = false;
  c->info.state.status = "exited";
  c->info.network_ips.clear();
}

void FakeDockerEngine::kill_container(const std::string& id, const std::string& signal) {
  std::lock_guard lock(mutex_);
  record("kill " + id + " " + signal);
}

void FakeDockerEngine::remove_container(const std::string& id, bool) {
  std::lock_guard lock(mutex_);
  auto* c = find(id);
  record("remove " + (c ? c->info.name : id));
  if (c) containers_.erase(c->info.name);
}

std::optional<ContainerInfo> FakeDockerEngine::inspect_container(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto* c = find(id);
  record("inspect " + (c ? c->info.name : id));
  if (!c) return std::nullopt;
  return c->info;
}

std::vector<ContainerSummary> FakeDockerEngine::list_containers(const ContainerFilters& filters) {
  std::lock_guard lock(mutex_);
  record("list_containers");
  std::vector<ContainerSummary> out;
  for (const auto& [name, c] : containers_) {
    bool match = true;
    for (const auto& label : filters.labels) {
      auto eq = label.find('=');
      auto key = label.substr(0, eq);
      auto it = c.info.labels.find(key);
      match = match && it != c.info.labels.end() && (eq == std::string::npos || it->second == label.substr(eq + 1));
    }
    if (match) out.push_back({c.info.id, name, c.spec.image, c.info.state.status, "", c.info.labels, 0});
  }
  return out;
}

void FakeDockerEngine::rename_container(const std::string& id, const std::string& new_name) {
  std::lock_guard lock(mutex_);
  record("rename " + id + " " + new_name);
  auto* c = find(id);
  if (!c) throw not_found("rename " + id);
  if (containers_.count(new_name)) {
    throw DockerError(DockerErrorKind::http, "409 the name " + new_name + " is in use", 409);
  }
  auto moved = *c;
  containers_.erase(moved.info.name);
  moved.info.name = new_name;
  containers_[new_name] = moved;
}

int FakeDockerEngine::wait_container(const std::string& id, std::chrono::milliseconds) {
  std::lock_guard lock(mutex_);
  record("wait " + id);
  return 0;
}

ExecResult FakeDockerEngine::exec(const std::string& container, const ExecSpec& spec) {
  std::lock_guard lock(mutex_);
  record("exec " + container + " " + (spec.cmd.empty() ? std::string() : spec.cmd.front()));
  return {0, {}};
}

RunResult FakeDockerEngine::run_once(const RunSpec& spec) {
  std::lock_guard lock(mutex_);
  record("run_once " + spec.container.name);
  auto it = registry_.find(spec.container.image);
  auto behaviour = it == registry_.end() ? FakeImageBehaviour{} : it->second;
  RunResult result;
  result.exit_code = behaviour.run_times_out ? 137 : behaviour.run_exit_code;
  result.timed_out = behaviour.run_times_out;
  if (result.exit_code != 0) result.output.push_back({LogStream::err, "", "migration failed", false});
  return result;
}

StreamEnd FakeDockerEngine::logs(const std::string& container, const LogOptions&, const LogCallback& on_line) {
  {
    std::lock_guard lock(mutex_);
    record("logs " + container);
  }
  if (on_line) on_line({LogStream::out, "", "a log line of " + container, false});
  return StreamEnd::finished;
}

StreamEnd FakeDockerEngine::events(const EventFilters& filters, std::chrono::milliseconds timeout,
                                   const EventCallback& on_event) {
  std::vector<Event> past;
  {
    std::lock_guard lock(mutex_);
    record("events");
    if (filters.until) {
      for (const auto& event : died_) {
        bool wanted = filters.containers.empty() ||
                      std::find(filters.containers.begin(), filters.containers.end(), event.id) !=
                          filters.containers.end();
        if (wanted) past.push_back(event);
      }
    }
  }
  if (filters.until) {  // past events only: Docker ends the stream at `until`
    for (const auto& event : past) {
      if (on_event && !on_event(event)) break;
    }
    return StreamEnd::finished;
  }
  // No events ever come: the stream lasts its time (bounded, so a watcher stops promptly).
  std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(timeout, std::chrono::milliseconds(50)));
  return StreamEnd::deadline;
}

std::optional<NetworkInfo> FakeDockerEngine::inspect_network(const std::string& name) {
  std::lock_guard lock(mutex_);
  record("inspect_network " + name);
  return NetworkInfo{"net-" + name, name, "bridge", {}};
}

void FakeDockerEngine::connect_network(const std::string& network, const std::string& container,
                                       const std::vector<std::string>&) {
  std::lock_guard lock(mutex_);
  auto* c = find(container);
  record("connect " + network + " " + (c ? c->info.name : container));
  if (!c) throw not_found("connect " + container);
  c->info.networks.push_back(network);
}

}  // namespace fical::testing
