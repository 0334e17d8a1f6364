#include "client/tty_progress.hpp"

#include <algorithm>

#include "client/status_text.hpp"

namespace fical::client {
namespace {

constexpr const char* kEraseLine = "\r\033[2K";

std::string pad(std::string text, std::size_t size) {
  if (text.size() < size) text.append(size - text.size(), ' ');
  return text;
}

}  // namespace

std::string progress_bar(int percent, std::size_t cells) {
  percent = std::clamp(percent, 0, 100);
  auto filled = cells * static_cast<std::size_t>(percent) / 100;
  std::string bar = "[" + std::string(filled, '#') + std::string(cells - filled, '-') + "] ";
  auto number = std::to_string(percent) + "%";
  return bar + std::string(4 - number.size(), ' ') + number;
}

TtyProgress::TtyProgress(std::ostream& out, std::size_t width)
    : out_(out), width_(std::max<std::size_t>(width, 40)) {}

void TtyProgress::line(const std::string& text) {
  if (status_shown_) out_ << kEraseLine;
  status_shown_ = false;
  out_ << printable(text, width_ * 4) << "\n";
}

void TtyProgress::redraw() {
  if (!have_phase_) return;
  std::string status = "  ..   " + pad(std::string(to_string(phase_)), 10);
  if (pull_ && pull_->total > 0) {
    status += progress_bar(pull_->percent(), 24) + "  " + format_bytes(pull_->bytes) + " / " +
              format_bytes(pull_->total);
  } else {
    status += message_;
  }
  // Never wrap: a wrapped status line cannot be redrawn with \r.
  out_ << kEraseLine << printable(status, width_ - 1) << std::flush;
  status_shown_ = true;
}

void TtyProgress::close_phase(proto::TimePoint end, std::string_view mark) {
  if (!have_phase_) return;
  if (phase_ == proto::Phase::done) {  // a marker, not work: the summary line says it
    if (status_shown_) out_ << kEraseLine;
    status_shown_ = false;
    return;
  }
  // Events mark the ends of steps, so a phase's own duration is not known live: say when
  // it ended, counted from the start of the deployment.
  line("  " + pad(std::string(mark), 5) + pad(std::string(to_string(phase_)), 10) + "at " +
       format_elapsed(end - created_));
}

void TtyProgress::started(const proto::Deployment& d) {
  created_ = d.created_at;
  line(std::string(to_string(d.kind)) + " " + d.app + "/" + d.env + " " + d.version +
       (d.dry_run ? " (dry run)" : "") + "  [deployment " + d.id + "]");
  if (auto note = env_choice_note(d); !note.empty()) line(note);
}

void TtyProgress::event(const proto::Event& e) {
  if (!have_phase_ || e.phase != phase_) {
    close_phase(e.time, "ok");
    have_phase_ = true;
    phase_ = e.phase;
    pull_.reset();
  }
  if (auto progress = pull_progress(e)) {
    pull_ = progress;
  } else {
    message_ = printable(e.message, width_);
  }
  if (e.level != proto::EventLevel::info) {
    line(std::string("  ") + (e.level == proto::EventLevel::warn ? "warn " : "ERR  ") +
         std::string(to_string(e.phase)) + ": " + e.message);
  }
  redraw();
}

void TtyProgress::notice(std::string_view text) {
  line("  note " + std::string(text));
  redraw();
}

void TtyProgress::finished(const proto::Deployment& d) {
  bool ok = d.state == proto::DeploymentState::succeeded;
  close_phase(d.ended_at.value_or(proto::now_ms()), ok ? "ok" : "FAIL");
  if (!ok) out_ << failure_block(d, 4000);
  if (d.dry_run && !d.plan.is_null()) out_ << "plan: " << d.plan.dump(2) << "\n";
  out_ << summary_line(d) << "\n" << std::flush;
}

void TtyProgress::gave_up(const proto::Deployment& last_known, std::string_view why) {
  if (status_shown_) out_ << "\n";
  status_shown_ = false;
  out_ << timeout_message(last_known, why) << "\n" << std::flush;
}

}  // namespace fical::client
