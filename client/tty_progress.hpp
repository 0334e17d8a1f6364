#pragma once
// Live progress for a person at a terminal: finished phases as lines, the current one redrawn.
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

#include "client/progress_view.hpp"
#include "client/report.hpp"

namespace fical::client {

/// Prints "  ok   <phase>  at <elapsed>" for each finished phase, warnings and errors as lines,
/// and one status line (phase, message, pull bar) redrawn in place with \r and erase-line.
class TtyProgress final : public ProgressView {
 public:
  TtyProgress(std::ostream& out, std::size_t width);
  void started(const proto::Deployment& deployment) override;
  void event(const proto::Event& event) override;
  void notice(std::string_view text) override;
  void finished(const proto::Deployment& deployment) override;
  void gave_up(const proto::Deployment& last_known, std::string_view why) override;

 private:
  void line(const std::string& text);  // a permanent line above the status line
  void redraw();
  void close_phase(proto::TimePoint end, std::string_view mark);

  std::ostream& out_;
  std::size_t width_;
  bool status_shown_ = false;
  bool have_phase_ = false;
  proto::Phase phase_ = proto::Phase::preflight;
  proto::TimePoint created_{};
  std::string message_;
  std::optional<PullProgress> pull_;
};

/// "[#########-----------]  45%": a bar `cells` wide.
std::string progress_bar(int percent, std::size_t cells);

}  // namespace fical::client
