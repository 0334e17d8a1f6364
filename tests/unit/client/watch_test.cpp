#include <catch2/catch.hpp>
#include <sstream>

#include "client/plain_progress.hpp"
#include "client/watch.hpp"
#include "tests/unit/client/fake_transport.hpp"
#include "tests/unit/client/sample_deployments.hpp"

using namespace fical::client;
using namespace fical::client::testing;
using fical::proto::DeploymentState;

namespace {

std::string ndjson(const std::vector<fical::proto::Event>& events, std::size_t from, std::size_t to) {
  std::string text;
  for (std::size_t i = from; i < to; ++i) text += to_json(events[i]).dump() + "\n";
  return text;
}

Scripted ok_json(const nlohmann::json& json) { return {{200, "application/json", json.dump()}, {}, false, false}; }

/// Records what the view was told, in order.
struct RecordingView final : ProgressView {
  std::vector<std::uint64_t> seqs;
  std::vector<std::string> notices;
  bool ended = false;
  std::string gave_up_why;
  void started(const fical::proto::Deployment&) override {}
  void event(const fical::proto::Event& e) override { seqs.push_back(e.seq); }
  void notice(std::string_view text) override { notices.emplace_back(text); }
  void finished(const fical::proto::Deployment&) override { ended = true; }
  void gave_up(const fical::proto::Deployment&, std::string_view why) override { gave_up_why = why; }
};

WatchOptions quick(std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  WatchOptions options;
  options.deadline = std::chrono::steady_clock::now() + limit;
  options.retry_first = std::chrono::milliseconds(1);
  options.retry_max = std::chrono::milliseconds(2);
  return options;
}

}  // namespace

TEST_CASE("watch: a dropped stream is resumed at the next seq, each event shown once",
          "[client][watch]") {
  auto events = successful_events();
  auto final_record = ended(DeploymentState::succeeded, events);
  FakeTransport transport;
  // The first stream gives events 0..6 then a partial line, then drops (agent restart).
  Scripted first{{200, "application/x-ndjson", ""}, {ndjson(events, 0, 7), "{\"seq\": 7, \"ti"}, true, false};
  transport.script.push_back(first);
  transport.script.push_back({{}, {}, false, true});  // refused while it restarts
  // Replays from 5 (the agent may resend a few); the client skips the ones it has.
  transport.script.push_back({{200, "application/x-ndjson", ""}, {ndjson(events, 5, events.size())}, false, false});
  transport.script.push_back(ok_json(to_json(final_record)));

  AgentApi api(transport, "tok", "");
  RecordingView view;
  auto outcome = watch_deployment(api, accepted_deployment(), view, quick());
  CHECK(outcome.ended);
  CHECK(view.ended);
  std::vector<std::uint64_t> expected;
  for (const auto& e : events) expected.push_back(e.seq);
  CHECK(view.seqs == expected);
  REQUIRE(transport.requests.size() == 4);
  CHECK(transport.requests[0].target == "/v1/deployments/dep-42/events?from=0");
  CHECK(transport.requests[1].target == "/v1/deployments/dep-42/events?from=7");
  CHECK(transport.requests[2].target == "/v1/deployments/dep-42/events?from=7");
  CHECK(transport.requests[3].target == "/v1/deployments/dep-42");
  REQUIRE(view.notices.size() == 2);
  CHECK(view.notices[0].find("lost the event stream (connection reset by peer)") == 0);
  CHECK(view.notices[1] == "reconnected; resuming at event 7");
  for (const auto& request : transport.requests) {
    CHECK(request.headers.end() != std::find(request.headers.begin(), request.headers.end(),
                                             std::pair<std::string, std::string>{"Authorization", "Bearer tok"}));
  }
}

TEST_CASE("watch: the agent refusing the deployment ends the watch", "[client][watch]") {
  FakeTransport transport;
  transport.script.push_back({{404, "application/json", R"({"error":{"code":"not_found","message":"no deployment dep-42"}})"}, {}, false, false});
  AgentApi api(transport, "", "");
  RecordingView view;
  auto outcome = watch_deployment(api, accepted_deployment(), view, quick());
  REQUIRE(outcome.refused);
  CHECK(outcome.refused->message == "no deployment dep-42");
  CHECK_FALSE(view.ended);
}

TEST_CASE("watch: gives up at the deadline while the agent stays away", "[client][watch]") {
  FakeTransport transport;
  for (int i = 0; i < 10000; ++i) transport.script.push_back({{}, {}, false, true});
  AgentApi api(transport, "", "");
  RecordingView view;
  auto options = quick(std::chrono::milliseconds(50));
  options.deadline_text = "the --timeout of 50ms";
  auto outcome = watch_deployment(api, accepted_deployment(), view, options);
  CHECK_FALSE(outcome.ended);
  CHECK_FALSE(outcome.refused);
  CHECK(view.gave_up_why.find("the --timeout of 50ms passed while the agent was unreachable") == 0);
  CHECK(view.notices.size() == 1);  // one note per outage, not one per retry
}

TEST_CASE("line splitter joins chunks and refuses endless lines", "[client][watch]") {
  LineSplitter lines(10);
  std::vector<std::string> got;
  auto collect = [&](std::string_view line) { got.emplace_back(line); };
  CHECK(lines.feed("ab", collect));
  CHECK(lines.feed("c\r\nd\n\ne", collect));
  CHECK(got == std::vector<std::string>{"abc", "d", ""});
  CHECK(lines.rest() == "e");
  CHECK_FALSE(lines.feed(std::string(20, 'x'), collect));
}
