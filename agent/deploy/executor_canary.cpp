// The executor's canary (docs/canary.md): after the health gate the new color gets each
// step's share of the requests through a weighted split of the same upstreams, and each
// step's window of nginx's access log is judged (WindowTally, judge, decide_step: the
// decisions are step_policy's). A fail aborts at once: run() switches back to the stable
// color and removes the canary. A pass of the last step returns to run(), which switches
// fully, verifies, records the release, drains and retires as for blue-green.
#include <algorithm>
#include <cstdio>

#include "agent/canary/access_log_source.hpp"
#include "agent/canary/step_policy.hpp"
#include "agent/canary/window_stats.hpp"
#include "agent/deploy/canary_routes.hpp"
#include "agent/deploy/executor.hpp"
#include "agent/deploy/step_error.hpp"
#include "proto/durations.hpp"

namespace fical::agent::deploy {
namespace {

using namespace std::chrono_literals;
using proto::Phase;
using std::chrono::milliseconds;

constexpr milliseconds kPollEvery{200};  // how often the log is read and the window judged

/// A window's numbers go to the event stream this often: a tenth of the step, 1-30 s.
milliseconds report_every(milliseconds step) { return std::clamp<milliseconds>(step / 10, 1s, 30s); }

double epoch_seconds(proto::TimePoint t) { return static_cast<double>(t.time_since_epoch().count()) / 1000.0; }

canary::Thresholds thresholds_of(const config::CanaryAnalysis& a) {
  canary::Thresholds limits;
  limits.max_error_ratio = a.max_error_ratio;
  limits.max_p95_ratio = a.max_p95_ratio;
  limits.min_requests = static_cast<std::uint64_t>(std::max(1L, a.min_requests));
  return limits;
}

std::string percent_text(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", ratio * 100);
  return text;
}

}  // namespace

canary::WindowSpec Executor::load_split(int weight) {
  auto split = canary_files(deps_.docker, plan_.app, environment(), {plan_.target_color, plan_.version},
                            {plan_.live_color, plan_.live_version}, weight);
  if (!split.missing.empty()) {
    throw StepError("the canary cannot be split: " + split.missing + "; " + serving(),
                    {{"event", "canary_aborted"}, {"reason", "color_gone"}, {"weight", weight}});
  }
  try {
    deps_.router->apply_env(canary_upstreams(plan_.app, plan_.env, split));
  } catch (const router::RouterError& e) {
    throw StepError(std::string(e.what()) + "; " + serving());
  }
  switched_ = true;  // the canary has traffic: a failure from here on switches back
  canary::WindowSpec spec;
  spec.canary = split.canary_servers;
  spec.stable = split.stable_servers;
  spec.start = epoch_seconds(deps_.host.wall_now());
  return spec;
}

void Executor::publish_canary(const nlohmann::json& verdict, milliseconds elapsed, bool durable) {
  canary_.verdict = verdict;
  auto analysis = store::to_json(canary_);
  analysis.erase("resume");  // the store's, for a restart: not the record's
  analysis["step"] = canary_.step + 1;  // 1-based for people
  analysis["elapsed_ms"] = elapsed.count();
  analysis["state"] = "running";
  auto numbers = [&](const char* color, std::uint64_t requests, std::uint64_t errors) {
    if (verdict.is_object()) {
      requests += verdict[color].value("requests", std::uint64_t{0});
      errors += verdict[color].value("errors", std::uint64_t{0});
    }
    return nlohmann::json{{"requests", requests}, {"errors", errors}};
  };
  const auto& t = canary_totals_;
  analysis["totals"] = {{"canary", numbers("canary", t.canary_requests, t.canary_errors)},
                        {"stable", numbers("stable", t.stable_requests, t.stable_errors)}};
  log_.set_analysis(analysis, durable);
  if (durable) deps_.store.save_canary(plan_.app, plan_.env, canary_);
}

proto::DeploymentState Executor::resume_canary(const store::CanaryState& at) {
  // The canary's containers run (resumable_canaries checked): this deployment's own again.
  for (const auto& c : plan_.containers) created_.push_back(c.name);
  switched_ = true;  // its split may be in nginx: a failure from here on switches back
  return carry_out([&] {
    if (!plan_.canary || !at.resume || at.canary_color != plan_.target_color || at.canary_version != plan_.version ||
        at.stable_color != plan_.live_color) {
      throw StepError("the canary cannot resume: its plan no longer matches what ran before the restart; " +
                          serving(),
                      {{"event", "canary_aborted"}, {"reason", "not_resumable"}, {"step", at.step + 1}});
    }
    images_ = at.resume->images;
    env_hash_ = at.resume->env_hash;
    secret_versions_ = at.resume->secret_versions;
    if (plan_.env_file || environment().has_env_sources()) {
      auto vars = deps_.store.load_env_snapshot(plan_.app, plan_.env, plan_.deployment_id);
      if (!vars) {
        throw StepError("the canary cannot resume: the env it started with was not kept; " + serving(),
                        {{"event", "canary_aborted"}, {"reason", "not_resumable"}, {"step", at.step + 1}});
      }
      env_file_vars_ = std::move(*vars);
    }
    run_canary(&at);
  });
}

void Executor::run_canary(const store::CanaryState* resume_at) {
  const auto& plan = *plan_.canary;
  enter(Phase::canary);
  if (!deps_.router) throw StepError("a canary needs nginx.upstream_dir; " + serving());
  // From the end of the log as it is now: only requests from the canary's start count.
  std::unique_ptr<canary::AccessLogSource> source;
  if (deps_.open_access_log) {
    source = deps_.open_access_log(plan.access_log);
  } else {
    source = std::make_unique<canary::FollowedAccessLog>(plan.access_log);
  }
  canary_ = {};
  canary_totals_ = {};
  canary_.deployment_id = plan_.deployment_id;
  canary_.canary_color = plan_.target_color;
  canary_.canary_version = plan_.version;
  canary_.stable_color = plan_.live_color;
  canary_.stable_version = plan_.live_version;
  canary_.steps = static_cast<int>(plan.steps.size());
  std::size_t first = 0;
  if (resume_at) {
    first = static_cast<std::size_t>(std::clamp(resume_at->step, 0, canary_.steps - 1));
    canary_.resume = resume_at->resume;
    log_.info("the agent restarted during the canary: step " + std::to_string(first + 1) + " runs again from its start",
              {{"event", "canary_resumed"}, {"step", first + 1}, {"weight", plan.steps[first].weight}});
  } else {
    // What a restart needs to resume (canary_resume.cpp): the release as known so far, and
    // the env it runs with kept as record_new_release keeps it.
    proto::Release known{.version = plan_.version,
                         .color = plan_.target_color,
                         .images = images_,
                         .commit = plan_.commit,
                         .deployment_id = plan_.deployment_id,
                         .deployed_at = deps_.host.wall_now(),
                         .env_hash = env_hash_};
    known.secret_versions = secret_versions_;
    canary_.resume = std::move(known);
    if (plan_.env_file || environment().has_env_sources()) {
      deps_.store.save_env_snapshot(plan_.app, plan_.env, plan_.deployment_id, env_file_vars_);
    }
  }
  for (std::size_t i = first; i < plan.steps.size(); ++i) {
    const auto& step = plan.steps[i];
    auto spec = load_split(step.weight);
    canary_.step = static_cast<int>(i);
    canary_.weight = step.weight;
    canary_.step_length_ms = step.duration.count();
    canary_.step_started = deps_.host.wall_now();
    publish_canary(nullptr, 0ms, true);
    log_.info("canary step " + std::to_string(i + 1) + " of " + std::to_string(plan.steps.size()) + ": " +
                  std::to_string(step.weight) + "% of the requests to " + plan_.version + " (" + plan_.target_color +
                  ") for " + proto::format_duration(step.duration),
              {{"event", "canary_step"}, {"step", i + 1}, {"steps", plan.steps.size()}, {"weight", step.weight},
               {"for_ms", step.duration.count()}, {"color", plan_.target_color}});
    if (run_canary_step(*source, i, spec) == StepEnd::promote_now) {
      log_.info("canary promoted by the operator at step " + std::to_string(i + 1),
                {{"event", "canary_promoted"}, {"reason", "operator"}, {"step", i + 1}, {"verdict", canary_.verdict}});
      break;
    }
  }
  auto analysis = log_.analysis();
  analysis["state"] = "promoted";
  log_.set_analysis(analysis);
  deps_.store.clear_canary(plan_.app, plan_.env);
}

Executor::StepEnd Executor::run_canary_step(canary::AccessLogSource& source, std::size_t index,
                                            const canary::WindowSpec& spec) {
  const auto& plan = *plan_.canary;
  const auto& step = plan.steps[index];
  const bool last = index + 1 == plan.steps.size();
  const auto limits = thresholds_of(plan.analysis);
  canary::WindowTally tally(spec);
  const auto started = deps_.clock.now();
  const auto every = report_every(step.duration);
  auto next_report = started + every;
  auto step_data = [&](nlohmann::json data, const nlohmann::json& verdict, milliseconds elapsed) {
    data["step"] = index + 1;
    data["weight"] = step.weight;
    data["elapsed_ms"] = elapsed.count();
    data["verdict"] = verdict;
    return data;
  };
  auto aborted = [&](const std::string& reason, const nlohmann::json& numbers, milliseconds elapsed) {
    publish_canary(numbers, elapsed, false);
    auto analysis = log_.analysis();
    analysis["state"] = "aborted";
    analysis["reason"] = reason;
    log_.set_analysis(analysis);
  };
  for (;;) {
    for (const auto& line : source.poll()) {
      if (auto record = canary::parse_access_line(line)) tally.add(*record);
    }
    const auto now = deps_.clock.now();
    const auto elapsed = std::chrono::duration_cast<milliseconds>(now - started);
    const auto verdict = canary::judge(tally.canary(), tally.stable(), limits);
    const auto numbers = canary::verdict_json(verdict);
    if (log_.cancel_requested()) {
      publish_canary(numbers, elapsed, false);
      throw Cancelled{};
    }
    switch (log_.canary_command()) {
      case CanaryCommand::abort:
        aborted("operator", numbers, elapsed);
        throw StepError("the canary was aborted by the operator at step " + std::to_string(index + 1) + "; " +
                            plan_.live_version + " serves again",
                        step_data({{"event", "canary_aborted"}, {"reason", "operator"}}, numbers, elapsed));
      case CanaryCommand::promote:
        publish_canary(numbers, elapsed, false);
        return StepEnd::promote_now;
      case CanaryCommand::none:
        break;
    }
    const auto decision = canary::decide_step(step.duration, last, elapsed, verdict);
    if (decision.action == canary::StepAction::abort) {
      aborted(decision.reason, numbers, elapsed);
      const auto& c = verdict.canary;
      throw StepError("the canary failed its analysis at step " + std::to_string(index + 1) + " (" + decision.reason +
                          "): " + std::to_string(c.errors) + " errors in " + std::to_string(c.requests) +
                          " requests (" + percent_text(c.error_ratio) + ") against " +
                          percent_text(verdict.stable.error_ratio) + " on " + plan_.live_version + "; " +
                          plan_.live_version + " serves again",
                      step_data({{"event", "canary_aborted"}, {"reason", decision.reason}}, numbers, elapsed));
    }
    if (decision.action != canary::StepAction::hold) {
      publish_canary(numbers, elapsed, true);
      canary_totals_.canary_requests += verdict.canary.requests;
      canary_totals_.canary_errors += verdict.canary.errors;
      canary_totals_.stable_requests += verdict.stable.requests;
      canary_totals_.stable_errors += verdict.stable.errors;
      log_.info("canary step " + std::to_string(index + 1) + " passed: " + std::to_string(verdict.canary.requests) +
                    " requests to " + plan_.version + ", " + std::to_string(verdict.canary.errors) + " errors",
                step_data({{"event", "canary_step_passed"}}, numbers, elapsed));
      return StepEnd::passed;
    }
    if (now >= next_report) {
      next_report += every;
      publish_canary(numbers, elapsed, true);
      log_.info("canary step " + std::to_string(index + 1) + ": " + std::to_string(verdict.canary.requests) +
                    " requests to " + plan_.version + " (" + std::to_string(verdict.canary.errors) + " errors), " +
                    std::to_string(verdict.stable.requests) + " to " + plan_.live_version + ": " +
                    canary::to_string(verdict.outcome),
                step_data({{"event", "canary_window"}}, numbers, elapsed));
    } else {
      publish_canary(numbers, elapsed, false);
    }
    deps_.clock.sleep_for(kPollEvery);
  }
}

}  // namespace fical::agent::deploy

namespace fical::agent::deploy {

void Executor::end_canary(proto::DeploymentState result, const std::string& reason) {
  auto analysis = log_.analysis();
  if (analysis.is_null()) return;  // it never started (a failure before the health gate passed)
  if (analysis.value("state", "") == "running") {
    analysis["state"] = result == proto::DeploymentState::cancelled ? "cancelled" : "aborted";
    analysis["reason"] = reason;
  }
  try {
    log_.set_analysis(analysis);
    deps_.store.clear_canary(plan_.app, plan_.env);
  } catch (const std::exception& e) {
    log_.error(std::string("cannot clear the canary's state: ") + e.what());
  }
}

}  // namespace fical::agent::deploy
