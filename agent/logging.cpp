#include "agent/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>

#include "proto/time.hpp"

namespace fical::agent {
namespace {

/// Writes each record to stderr as one JSON object per line.
class JsonStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto time = std::chrono::time_point_cast<std::chrono::milliseconds>(msg.time);
    nlohmann::json line{{"time", proto::format_time(proto::TimePoint(time.time_since_epoch()))},
                        {"level", spdlog::level::to_string_view(msg.level).data()},
                        {"message", std::string(msg.payload.data(), msg.payload.size())}};
    auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void setup_logging(LogFormat format) {
  std::shared_ptr<spdlog::logger> logger;
  if (format == LogFormat::json) {
    logger = std::make_shared<spdlog::logger>("fical", std::make_shared<JsonStderrSink>());
  } else if (std::getenv("JOURNAL_STREAM") != nullptr) {
    logger = std::make_shared<spdlog::logger>(
        "fical", std::make_shared<spdlog::sinks::systemd_sink_mt>("fical-agent", false));
  } else {
    logger = std::make_shared<spdlog::logger>("fical", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  }
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace fical::agent
