// fical-agent: reads the config, serves the API until SIGTERM/SIGINT, tells systemd.
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/api/audit_store_sink.hpp"
#include "agent/api/handlers.hpp"
#include "agent/config/config.hpp"
#include "agent/deploy/engine.hpp"
#include "agent/http/server.hpp"
#include "agent/http/systemd_notify.hpp"
#include "agent/http/unix_socket_probe.hpp"
#include "agent/import_compose_command.hpp"
#include "agent/logging.hpp"
#include "agent/metrics/deployment_metrics.hpp"
#include "agent/metrics/emf_file.hpp"
#include "agent/options.hpp"
#include "agent/state_command.hpp"

namespace {

namespace net = boost::asio;
using namespace fical::agent;

constexpr auto kShutdownGrace = std::chrono::seconds(10);
constexpr std::size_t kMaxAuthFailures = 10;
constexpr auto kAuthFailureWindow = std::chrono::minutes(1);

std::optional<config::Config> load_config(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    std::cerr << "fical-agent: cannot read " << path << "\n";
    return std::nullopt;
  }
  std::stringstream text;
  text << file.rdbuf();
  auto parsed = config::parse_config(text.str());
  for (const auto& error : parsed.errors) std::cerr << path << ": " << error.to_string() << "\n";
  return parsed.config;
}

// Pings systemd's watchdog from the event loop, so a stuck loop gets the agent restarted.
net::awaitable<void> feed_watchdog(std::chrono::microseconds interval,
                                   const std::atomic<bool>& stopping) {
  net::steady_timer timer{co_await net::this_coro::executor};
  while (!stopping) {
    http::notify_watchdog();
    timer.expires_after(interval);
    co_await timer.async_wait(net::use_awaitable);
  }
}

// Waits for Docker to answer and reconciles (deployments are refused until then), then tells
// systemd the agent is ready. Retries with backoff until it succeeds or the agent stops.
void reconcile_then_ready(deploy::Engine& engine, const std::string& docker_socket,
                          const std::atomic<bool>& stopping) {
  auto delay = std::chrono::milliseconds(100);
  std::string last_problem;
  auto last_report = std::chrono::steady_clock::time_point{};
  while (!stopping) {
    try {
      for (const auto& note : engine.reconcile()) spdlog::info("reconcile: {}", note);
      spdlog::info("Docker answers at {}; state reconciled", docker_socket);
      spdlog::info("fical-agent ready");
      http::notify_status("ready");
      http::notify_ready();
      return;
    } catch (const std::exception& e) {
      auto now = std::chrono::steady_clock::now();
      if (e.what() != last_problem || now - last_report > std::chrono::seconds(30)) {
        spdlog::warn("waiting for Docker before accepting deployments: {}", e.what());
        http::notify_status("waiting for Docker at " + docker_socket);
        last_problem = e.what();
        last_report = now;
      }
    }
    for (auto slept = std::chrono::milliseconds(0); slept < delay && !stopping; slept += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    delay = std::min(delay * 2, std::chrono::milliseconds(5000));
  }
}

// After stop(): waits for open connections to finish, at most kShutdownGrace, then ends.
net::awaitable<void> finish_shutdown(http::Server& server, net::io_context& io) {
  net::steady_timer timer{co_await net::this_coro::executor};
  auto give_up = std::chrono::steady_clock::now() + kShutdownGrace;
  while (server.connections() > 0 && std::chrono::steady_clock::now() < give_up) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(net::use_awaitable);
  }
  if (server.connections() > 0) {
    spdlog::warn("shutdown: {} connections still open after {}s; closing them",
                 server.connections(), kShutdownGrace.count());
  }
  io.stop();
}

int run(const config::Config& config) {
  // Declared before the engine: its deployment threads report to them until it is gone.
  std::unique_ptr<api::AuditStoreSink> audit;  // in the engine's store, made with it
  metrics::DeploymentMetrics deployment_metrics;
  std::unique_ptr<metrics::EmfFile> emf_file;
  if (!config.metrics.emf_file.empty()) {
    emf_file = std::make_unique<metrics::EmfFile>(config.metrics.emf_file, config.metrics.emf_namespace,
                                                  [](const std::string& message) { spdlog::error("{}", message); });
  }
  std::unique_ptr<deploy::Engine> engine;
  try {
    engine = std::make_unique<deploy::Engine>(config);
  } catch (const std::exception& e) {
    spdlog::critical("cannot start the deployment engine: {}", e.what());
    return 1;
  }
  audit = std::make_unique<api::AuditStoreSink>(engine->store(),
                                                [](const std::string& message) { spdlog::error("{}", message); });
  engine->on_deployment_finished([&](const fical::proto::Deployment& deployment) {
    deployment_metrics.record(deployment);
    if (emf_file) emf_file->record(deployment);
    audit->record(api::finished_deployment_record(deployment));
  });
  auto& service = engine->service();
  api::Authenticator authenticator(config.tokens);
  api::FailureLimiter auth_failures(kMaxAuthFailures, kAuthFailureWindow);
  api::MetricsRegistry metrics;
  api::describe_api_metrics(metrics);
  metrics.add_collector([&](std::string& out) {
    std::vector<fical::proto::AppSummary> live;
    try {
      live = service.apps();
    } catch (const std::exception& e) {
      spdlog::warn("metrics: live releases unknown: {}", e.what());
    }
    deployment_metrics.render(out, live);
    std::vector<metrics::DeploymentMetrics::CanaryWeight> canaries;  // from memory: no Docker call
    for (const auto& app : live) {
      for (const auto& env : app.environments) {
        if (env.running_deployment.empty()) continue;
        auto status = service.canary_status(app.name, env.name);
        if (const auto* s = std::get_if<nlohmann::json>(&status); s && s->contains("weight")) {
          canaries.push_back({app.name, env.name, s->value("weight", 0.0)});
        }
      }
    }
    metrics::DeploymentMetrics::render_canary_weights(out, canaries);
  });
  api::Deps deps{service, authenticator, auth_failures, metrics, *audit};

  net::io_context io;
  http::Server server(io, config.http, deps);
  try {
    server.listen();
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen: {}", e.what());
    return 1;
  }
  server.start();

  std::atomic<bool> stopping{false};
  net::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", signal);
    http::notify_stopping();
    stopping = true;
    server.stop();
    net::co_spawn(io, finish_shutdown(server, io), net::detached);
  });
  if (auto interval = http::watchdog_interval()) {
    net::co_spawn(io, feed_watchdog(*interval, stopping), net::detached);
  }
  // The API answers at once (healthz says whether Docker does); READY waits for Docker.
  std::thread startup([&] { reconcile_then_ready(*engine, config.docker.socket, stopping); });

  std::vector<std::thread> threads;
  auto extra = std::min(3u, std::max(1u, std::thread::hardware_concurrency()) - 1);
  for (unsigned i = 0; i < extra; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();
  stopping = true;  // io.run() also returns when listening failed
  startup.join();
  spdlog::info("fical-agent stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_options(std::vector<std::string>(argv, argv + argc));
  if (!parsed.options) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.output;
    return parsed.exit_code;
  }
  const auto& options = *parsed.options;
  if (options.import_compose) {
    return run_import_compose(*options.import_compose, process_environment(), std::cout, std::cerr);
  }
  if (options.state_command != StateCommand::none && !options.state_dir.empty()) {
    return run_state_command(options, options.state_dir, std::cout, std::cerr);
  }
  auto config = load_config(options.config_path);
  if (config && options.state_command != StateCommand::none) {
    return run_state_command(options, config->state_dir, std::cout, std::cerr);
  }
  if (options.check_config) {
    if (config) std::cout << "ok\n";
    return config ? 0 : 1;
  }
  if (!config) return 1;
  setup_logging(options.log_format);
  return run(*config);
}
