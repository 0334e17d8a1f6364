#include "agent/http/log_pump.hpp"

namespace fical::agent::http {

bool LogPump::push(std::string_view chunk) {
  std::unique_lock lock(mutex_);
  space_.wait(lock, [&] { return stopped_ || buffered_ < max_buffered_; });
  if (stopped_) return false;
  chunks_.emplace_back(chunk);
  buffered_ += chunk.size();
  return true;
}

void LogPump::finish(std::optional<proto::ApiError> error) {
  std::lock_guard lock(mutex_);
  finished_ = true;
  error_ = std::move(error);
}

LogPump::Taken LogPump::take() {
  std::lock_guard lock(mutex_);
  Taken taken;
  for (auto& chunk : chunks_) taken.text += chunk;
  chunks_.clear();
  buffered_ = 0;
  space_.notify_all();
  taken.finished = finished_;
  if (finished_) taken.error = error_;
  return taken;
}

void LogPump::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  space_.notify_all();
}

}  // namespace fical::agent::http
