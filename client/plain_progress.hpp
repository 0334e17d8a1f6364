#pragma once
// Plain timestamped lines for logs and SSM, which keeps only the first ~2,500 characters.
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "client/progress_view.hpp"

namespace fical::client {

/// Limits that keep the result within SSM's console window.
struct PlainBudget {
  std::size_t live_chars = 1500;      // progress printed as it happens, at most
  std::size_t failure_chars = 900;    // the FAILED block (reason and last log lines)
  std::size_t held_chars = 16000;     // progress held back past live_chars, printed at the end
};

/// One line per phase, pull progress every 25%, warnings and errors; the first
/// live_chars of progress print at once, later lines are held and printed after the result,
/// so the first live_chars + failure_chars characters always contain the outcome.
class PlainProgress final : public ProgressView {
 public:
  explicit PlainProgress(std::ostream& out, PlainBudget budget = {});
  void started(const proto::Deployment& deployment) override;
  void event(const proto::Event& event) override;
  void notice(std::string_view text) override;
  void finished(const proto::Deployment& deployment) override;
  void gave_up(const proto::Deployment& last_known, std::string_view why) override;

 private:
  void emit(std::string line);
  void flush_held();

  std::ostream& out_;
  PlainBudget budget_;
  std::size_t live_written_ = 0;
  std::vector<std::string> held_;
  bool have_phase_ = false;
  proto::Phase phase_ = proto::Phase::preflight;
  int pull_step_printed_ = 0;  // last 25% step printed for pull_image_
  std::string pull_image_;
  proto::TimePoint last_time_{};
};

}  // namespace fical::client
