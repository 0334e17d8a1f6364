#include "client/plain_progress.hpp"

#include "client/report.hpp"
#include "client/status_text.hpp"

namespace fical::client {
namespace {

constexpr std::size_t kMessageChars = 160;

std::string level_tag(proto::EventLevel level) {
  switch (level) {
    case proto::EventLevel::warn:
      return "WARN ";
    case proto::EventLevel::error:
      return "ERROR ";
    case proto::EventLevel::info:
      break;
  }
  return "";
}

}  // namespace

PlainProgress::PlainProgress(std::ostream& out, PlainBudget budget)
    : out_(out), budget_(budget) {}

void PlainProgress::emit(std::string line) {
  line += '\n';
  if (held_.empty() && live_written_ + line.size() <= budget_.live_chars) {
    live_written_ += line.size();
    out_ << line << std::flush;
    return;
  }
  held_.push_back(std::move(line));
}

void PlainProgress::flush_held() {
  std::size_t written = 0;
  std::size_t shown = 0;
  for (const auto& line : held_) {
    if (written + line.size() > budget_.held_chars) break;
    out_ << line;
    written += line.size();
    ++shown;
  }
  if (shown < held_.size()) {
    out_ << "... " << held_.size() - shown << " more progress lines left out\n";
  }
  held_.clear();
}

void PlainProgress::started(const proto::Deployment& d) {
  last_time_ = d.created_at;
  emit(clock_time(d.created_at) + " " + std::string(to_string(d.kind)) + " " + d.app + "/" +
       d.env + " " + d.version + (d.dry_run ? " (dry run)" : "") + ": deployment " + d.id +
       " started " + proto::format_time(d.created_at));
  if (auto note = env_choice_note(d); !note.empty()) emit(note);
}

void PlainProgress::event(const proto::Event& e) {
  last_time_ = e.time;
  std::string prefix = clock_time(e.time) + " " + std::string(to_string(e.phase)) + ": ";
  bool new_phase = !have_phase_ || e.phase != phase_;
  if (new_phase) {
    have_phase_ = true;
    phase_ = e.phase;
    pull_step_printed_ = 0;
  }
  if (auto progress = pull_progress(e)) {
    auto image = e.data.value("image", std::string());
    if (image != pull_image_) pull_step_printed_ = 0;  // each image's pull has its own steps
    pull_image_ = image;
    int step = progress->percent() / 25 * 25;
    if (progress->total > 0 && step > pull_step_printed_) {
      pull_step_printed_ = step;
      emit(prefix + std::to_string(step) + "% (" + format_bytes(progress->bytes) + " of " +
           format_bytes(progress->total) + ")");
      return;
    }
    if (!new_phase) return;
  } else if (!new_phase && e.level == proto::EventLevel::info) {
    return;  // one line per phase keeps SSM output short
  }
  emit(prefix + level_tag(e.level) + printable(e.message, kMessageChars));
}

void PlainProgress::notice(std::string_view text) {
  emit(clock_time(proto::now_ms()) + " client: " + printable(text, kMessageChars));
}

void PlainProgress::finished(const proto::Deployment& d) {
  if (d.state != proto::DeploymentState::succeeded) {
    out_ << failure_block(d, budget_.failure_chars);
  }
  flush_held();
  if (d.dry_run && !d.plan.is_null()) out_ << "plan: " << d.plan.dump(2) << "\n";
  out_ << summary_line(d) << "\n" << std::flush;
}

void PlainProgress::gave_up(const proto::Deployment& last_known, std::string_view why) {
  out_ << timeout_message(last_known, why) << "\n";
  flush_held();
  out_ << std::flush;
}

}  // namespace fical::client
