// HttpDockerEngine: the streaming calls (pull, build, logs, events, exec) and run_once.
#include <thread>

#include "agent/docker/http_docker_engine.hpp"
#include "agent/docker/json_lines.hpp"
#include "agent/docker/log_frames.hpp"
#include "agent/docker/parse.hpp"
#include "agent/docker/requests.hpp"
#include "agent/docker/transport.hpp"

namespace fical::agent::docker {

using namespace std::chrono_literals;

namespace {

/// Opens a stream, throwing Docker's error for a non-2xx answer.
std::unique_ptr<ResponseStream> open_stream(Transport& transport, Request request,
                                            const std::string& api_version,
                                            std::chrono::milliseconds timeout) {
  auto what = request.describe();
  request.target = versioned_target(api_version, request.target);
  std::unique_ptr<ResponseStream> stream;
  auto response = transport.open(request, Clock::now() + timeout, stream);
  if (!stream) throw http_error(what, response.status, response.body);
  return stream;
}

}  // namespace

bool HttpDockerEngine::json_stream(Request request, std::chrono::milliseconds timeout,
                                   const std::function<bool(const nlohmann::json&)>& on_object) {
  auto stream = open_stream(*transport_, std::move(request), api_version(), timeout);
  JsonLineSplitter splitter;
  while (auto chunk = stream->next()) {
    for (const auto& object : splitter.feed(*chunk)) {
      if (!on_object(object)) return false;  // the stream's destructor closes the connection
    }
  }
  for (const auto& object : splitter.finish()) {
    if (!on_object(object)) return false;
  }
  return true;
}

void HttpDockerEngine::pull(const PullSpec& spec, const PullCallback& on_progress) {
  bool completed = json_stream(requests::pull(spec), spec.timeout, [&](const nlohmann::json& j) {
    auto progress = parse::pull_progress(j);  // throws on errorDetail
    return !on_progress || on_progress(progress);
  });
  if (!completed) {
    throw DockerError(DockerErrorKind::cancelled,
                      "docker: pull of " + spec.image + ":" + spec.tag + " cancelled");
  }
}

BuildResult HttpDockerEngine::build(const BuildOptions& options, std::string context_tar,
                                    const BuildCallback& on_output) {
  BuildResult result;
  bool completed = json_stream(requests::build(options, std::move(context_tar)), options.timeout,
                               [&](const nlohmann::json& j) {
                                 auto output = parse::build_output(j);
                                 result.output += output.stream;
                                 if (!output.image_id.empty()) result.image_id = output.image_id;
                                 return !on_output || on_output(output);
                               });
  if (!completed) throw DockerError(DockerErrorKind::cancelled, "docker: build cancelled");
  if (result.image_id.empty()) {
    // Older daemons announce the image only in text: "Successfully built 0123abcd".
    static const std::string marker = "Successfully built ";
    auto at = result.output.rfind(marker);
    if (at != std::string::npos) {
      auto end = result.output.find_first_of(" \r\n", at + marker.size());
      result.image_id = result.output.substr(at + marker.size(), end - at - marker.size());
    }
  }
  if (result.image_id.empty()) {
    throw DockerError(DockerErrorKind::malformed, "docker: the build did not name an image");
  }
  return result;
}

StreamEnd HttpDockerEngine::output_stream(Request request, std::chrono::milliseconds timeout,
                                          bool raw, bool timestamps, const LogCallback& on_line,
                                          bool deadline_ends_stream) {
  auto stream = open_stream(*transport_, std::move(request), api_version(), timeout);
  FrameDemuxer frames;
  LineAssembler lines(timestamps);
  auto deliver = [&](const std::vector<LogLine>& batch) {
    for (const auto& line : batch) {
      if (on_line && !on_line(line)) return false;
    }
    return true;
  };
  try {
    while (auto chunk = stream->next()) {
      if (raw) {
        if (!deliver(lines.feed(LogStream::out, *chunk))) return StreamEnd::stopped;
        continue;
      }
      for (const auto& frame : frames.feed(*chunk)) {
        if (!deliver(lines.feed(frame.stream, frame.payload))) return StreamEnd::stopped;
      }
    }
  } catch (const DockerError& e) {
    if (!deadline_ends_stream || e.kind() != DockerErrorKind::timeout) throw;
    deliver(lines.finish());
    return StreamEnd::deadline;
  }
  if (!frames.at_boundary()) {
    throw DockerError(DockerErrorKind::malformed, "docker: output stream ended inside a frame");
  }
  return deliver(lines.finish()) ? StreamEnd::finished : StreamEnd::stopped;
}

StreamEnd HttpDockerEngine::logs(const std::string& container, const LogOptions& options,
                                 const LogCallback& on_line) {
  auto info = inspect_container(container);
  if (!info) throw http_error("GET /containers/{id}/logs", 404, "No such container: " + container);
  return output_stream(requests::logs(container, options), options.timeout, info->tty,
                       options.timestamps, on_line, options.follow);
}

StreamEnd HttpDockerEngine::events(const EventFilters& filters, std::chrono::milliseconds timeout,
                                   const EventCallback& on_event) {
  try {
    bool completed = json_stream(requests::events(filters), timeout, [&](const nlohmann::json& j) {
      return !on_event || on_event(parse::event(j));
    });
    return completed ? StreamEnd::finished : StreamEnd::stopped;
  } catch (const DockerError& e) {
    // The head came back at once; a deadline while waiting for events is the normal end.
    if (e.kind() == DockerErrorKind::timeout) return StreamEnd::deadline;
    throw;
  }
}

ExecResult HttpDockerEngine::exec(const std::string& container, const ExecSpec& spec) {
  auto deadline = Clock::now() + spec.timeout;
  auto left = [&] {
    return std::max<std::chrono::milliseconds>(
        1ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  };
  auto exec_id =
      parse::created_id(call(requests::create_exec(container, spec), left()).body, "POST exec");
  ExecResult result;
  output_stream(requests::start_exec(exec_id), left(), false, false, [&](const LogLine& line) {
    result.output.push_back(line);
    return true;
  }, false);
  // The output ends when the process does; ExitCode can lag a moment behind.
  for (auto pause = 5ms;; pause = std::min(pause * 2, 200ms)) {
    auto code = parse::exec_exit_code(call(requests::inspect_exec(exec_id), left()).body);
    if (code) {
      result.exit_code = *code;
      return result;
    }
    if (Clock::now() + pause >= deadline) {
      throw DockerError(DockerErrorKind::timeout, "docker: exec in " + container +
                                                      " did not report an exit code in time");
    }
    std::this_thread::sleep_for(pause);
  }
}

RunResult HttpDockerEngine::run_once(const RunSpec& spec) {
  auto container = spec.container;
  container.restart_policy = "no";
  auto id = create_container(container);
  RunResult result;
  try {
    start_container(id);
    try {
      result.exit_code = wait_container(id, spec.timeout);
    } catch (const DockerError& e) {
      if (e.kind() != DockerErrorKind::timeout) throw;
      result.timed_out = true;
      kill_container(id, "SIGKILL");
      result.exit_code = wait_container(id, options_.call_timeout);
    }
    result.output = collect_logs(*this, id, LogOptions{});
  } catch (...) {
    try {
      remove_container(id, true);
    } catch (const DockerError&) {
      // The first error is the one worth reporting.
    }
    throw;
  }
  remove_container(id, true);
  return result;
}

}  // namespace fical::agent::docker
