// HttpDockerEngine over a scripted transport: what it sends, and how it reads Docker's
// statuses and streams. The real socket is covered by tests/integration/docker.
#include "agent/docker/http_docker_engine.hpp"

#include <catch2/catch.hpp>

#include "agent/docker/transport.hpp"

using namespace fical::agent::docker;
using namespace std::chrono_literals;

namespace {

/// One scripted answer: the body is sent in `chunks`; `then_timeout` ends the stream with
/// the deadline error instead of its end.
struct Scripted {
  Scripted(int status_ = 200, std::vector<std::string> chunks_ = {}, bool then_timeout_ = false,
           std::map<std::string, std::string> headers_ = {})
      : status(status_), chunks(std::move(chunks_)), then_timeout(then_timeout_),
        headers(std::move(headers_)) {}
  int status;
  std::vector<std::string> chunks;
  bool then_timeout;
  std::map<std::string, std::string> headers;
};

class ScriptedStream : public ResponseStream {
 public:
  explicit ScriptedStream(Scripted s) : s_(std::move(s)) {}
  std::optional<std::string> next() override {
    if (i_ < s_.chunks.size()) return s_.chunks[i_++];
    if (s_.then_timeout) throw DockerError(DockerErrorKind::timeout, "deadline");
    return std::nullopt;
  }

 private:
  Scripted s_;
  std::size_t i_ = 0;
};

/// Answers "METHOD /target" by the longest scripted prefix; records what was sent.
class ScriptedTransport : public Transport {
 public:
  std::map<std::string, Scripted> script;
  std::vector<std::string> sent;
  std::vector<Clock::duration> budgets;  // deadline - now, per request
  std::uint64_t broken = 0;

  Response send(const Request& r, Clock::time_point deadline) override {
    std::unique_ptr<ResponseStream> stream;
    auto response = open(r, deadline, stream);
    if (stream) {
      while (auto chunk = stream->next()) response.body += *chunk;
    }
    return response;
  }
  Response open(const Request& r, Clock::time_point deadline,
                std::unique_ptr<ResponseStream>& stream) override {
    auto key = r.method + " " + r.target;
    sent.push_back(key);
    budgets.push_back(deadline - Clock::now());
    const Scripted* best = nullptr;
    std::size_t best_length = 0;
    for (const auto& [prefix, answer] : script) {
      if (key.rfind(prefix, 0) == 0 && prefix.size() >= best_length) {
        best = &answer;
        best_length = prefix.size();
      }
    }
    if (!best) return {404, {}, R"({"message": "not scripted: )" + key + "\"}"};
    Response response{best->status, best->headers, {}};
    if (best->status >= 200 && best->status < 300) {
      stream = std::make_unique<ScriptedStream>(*best);
    } else {
      for (const auto& c : best->chunks) response.body += c;
    }
    return response;
  }
  std::uint64_t broken_connections() const override { return broken; }
};

struct Fixture {
  ScriptedTransport* transport;
  HttpDockerEngine engine;
  explicit Fixture(std::string daemon_version = "1.41")
      : transport(new ScriptedTransport),
        engine({"/run/test.sock", 5s}, std::unique_ptr<Transport>(transport)) {
    transport->script["GET /_ping"] = {200, {"OK"}, false, {{"api-version", daemon_version}}};
  }
};

std::string frame(unsigned char stream, const std::string& payload) {
  std::string header{static_cast<char>(stream), 0, 0, 0, 0, 0, 0,
                     static_cast<char>(payload.size())};
  return header + payload;
}

}  // namespace

TEST_CASE("engine: uses the daemon's API version when it is older than ours", "[docker]") {
  Fixture f("1.41");
  f.transport->script["GET /v1.41/containers/x/json"] = {200, {R"({"Id": "x"})"}};
  REQUIRE(f.engine.inspect_container("x"));
  CHECK(f.transport->sent == std::vector<std::string>{"GET /_ping", "GET /v1.41/containers/x/json"});
  f.engine.inspect_container("x");
  CHECK(f.transport->sent.size() == 3);  // negotiated once
}

TEST_CASE("engine: caps the version at ours and renegotiates after a reconnect", "[docker]") {
  Fixture f("1.47");
  f.transport->script["GET /v1.44/containers/x/json"] = {200, {"{}"}};
  f.engine.inspect_container("x");
  CHECK(f.transport->sent.back() == "GET /v1.44/containers/x/json");
  f.transport->broken = 1;  // the daemon went away and came back, older
  f.transport->script["GET /_ping"].headers["api-version"] = "1.41";
  f.transport->script["GET /v1.41/containers/x/json"] = {200, {"{}"}};
  f.engine.inspect_container("x");
  CHECK(f.transport->sent.size() == 4);
  CHECK(f.transport->sent[2] == "GET /_ping");
  CHECK(f.transport->sent[3] == "GET /v1.41/containers/x/json");
}

TEST_CASE("engine: statuses Docker defines as success", "[docker]") {
  Fixture f;
  f.transport->script["POST /v1.41/containers/c/start"] = {304, {}};
  f.transport->script["POST /v1.41/containers/c/stop"] = {304, {}};
  f.transport->script["POST /v1.41/containers/c/kill"] = {409, {R"({"message": "not running"})"}};
  f.transport->script["DELETE /v1.41/containers/c"] = {404, {R"({"message": "No such container"})"}};
  f.transport->script["DELETE /v1.41/images/i"] = {404, {}};
  CHECK_NOTHROW(f.engine.start_container("c"));
  CHECK_NOTHROW(f.engine.stop_container("c", 10s));
  f.transport->script["POST /v1.41/containers/c/stop"] = {404, {R"({"message": "No such container"})"}};
  CHECK_NOTHROW(f.engine.stop_container("c", 10s));  // already gone
  CHECK_NOTHROW(f.engine.kill_container("c", "SIGKILL"));
  CHECK_NOTHROW(f.engine.remove_container("c", true));
  CHECK_NOTHROW(f.engine.remove_image("i", false));
  CHECK_FALSE(f.engine.inspect_image("nope"));  // unscripted: 404
}

TEST_CASE("engine: stop's deadline outlasts Docker's grace period", "[docker]") {
  Fixture f;
  f.transport->script["POST /v1.41/containers/c/stop"] = {204, {}};
  f.engine.stop_container("c", 30s);
  CHECK(f.transport->budgets.back() > 30s);
}

TEST_CASE("engine: other statuses are http errors with Docker's message", "[docker]") {
  Fixture f;
  f.transport->script["POST /v1.41/containers/create"] = {409, {R"({"message": "name in use"})"}};
  ContainerSpec spec;
  spec.name = "web";
  spec.image = "app:v1";
  try {
    f.engine.create_container(spec);
    FAIL("no error");
  } catch (const DockerError& e) {
    CHECK(e.is_conflict());
    CHECK(e.docker_message() == "name in use");
  }
}

TEST_CASE("engine: pull progress, a stream error, and cancellation", "[docker]") {
  Fixture f;
  f.transport->script["POST /v1.41/images/create"] = {
      200, {"{\"status\":\"Pulling fs layer\",\"id\":\"a\"}\r\n{\"status\":\"Down", "loading\",\"id\":\"a\"}\r\n"}};
  std::vector<std::string> statuses;
  f.engine.pull({"app", "v1", {}}, [&](const PullProgress& p) {
    statuses.push_back(p.status);
    return true;
  });
  CHECK(statuses == std::vector<std::string>{"Pulling fs layer", "Downloading"});
  try {
    f.engine.pull({"app", "v1", {}}, [](const PullProgress&) { return false; });
    FAIL("no error");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::cancelled);
  }
  f.transport->script["POST /v1.41/images/create"] = {
      200, {"{\"status\":\"Pulling\"}\n{\"errorDetail\":{\"message\":\"unauthorized\"}}\n"}};
  try {
    f.engine.pull({"app", "v1", {}}, {});
    FAIL("no error");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::stream);
    CHECK(e.docker_message() == "unauthorized");
  }
}

TEST_CASE("engine: exec collects demultiplexed output and the exit code", "[docker]") {
  Fixture f;
  f.transport->script["POST /v1.41/containers/c/exec"] = {201, {R"({"Id": "e1"})"}};
  f.transport->script["POST /v1.41/exec/e1/start"] = {200, {frame(1, "out\n") + frame(2, "err\n").substr(0, 5), frame(2, "err\n").substr(5)}};
  f.transport->script["GET /v1.41/exec/e1/json"] = {200, {R"({"Running": false, "ExitCode": 3})"}};
  auto result = f.engine.exec("c", {{"sh"}, {}, "", 5s});
  CHECK(result.exit_code == 3);
  CHECK(joined(result.output, LogStream::out) == "out");
  CHECK(joined(result.output, LogStream::err) == "err");
}

TEST_CASE("engine: follow logs end at the deadline, events too", "[docker]") {
  Fixture f;
  f.transport->script["GET /v1.41/containers/c/json"] = {200, {R"({"Config": {"Tty": false}})"}};
  f.transport->script["GET /v1.41/containers/c/logs"] = {200, {frame(1, "a\nb")}, true};
  LogOptions follow;
  follow.follow = true;
  std::vector<std::string> lines;
  auto end = f.engine.logs("c", follow, [&](const LogLine& l) {
    lines.push_back(l.text);
    return true;
  });
  CHECK(end == StreamEnd::deadline);
  CHECK(lines == std::vector<std::string>{"a", "b"});
  LogOptions once;  // without follow the deadline is an error
  CHECK_THROWS_AS(f.engine.logs("c", once, {}), DockerError);

  f.transport->script["GET /v1.41/events"] = {200, {"{\"Type\":\"container\",\"Action\":\"die\"}\n"}, true};
  int seen = 0;
  CHECK(f.engine.events({}, 1s, [&](const Event& e) {
    seen += e.action == "die";
    return true;
  }) == StreamEnd::deadline);
  CHECK(seen == 1);
}
