#include "client/report.hpp"

#include <algorithm>
#include <cstdio>

namespace fical::client {
namespace {

using proto::Deployment;
using proto::DeploymentState;

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::vector<std::string> logs_of(const proto::Event& event) {
  if (!event.data.is_object()) return {};
  auto it = event.data.find("logs");
  if (it == event.data.end()) return {};
  if (it->is_string()) return split_lines(it->get<std::string>());
  std::vector<std::string> lines;
  if (it->is_array()) {
    for (const auto& item : *it) {
      if (!item.is_string()) continue;
      for (auto& line : split_lines(item.get<std::string>())) lines.push_back(std::move(line));
    }
  }
  return lines;
}

std::string where(const Deployment& d) { return d.app + "/" + d.env; }

std::string duration_of(const Deployment& d) {
  if (!d.ended_at) return "";
  return format_elapsed(*d.ended_at - d.created_at);
}

}  // namespace

int PullProgress::percent() const {
  if (total == 0) return 0;
  return static_cast<int>(std::min<std::uint64_t>(100, bytes * 100 / total));
}

std::optional<PullProgress> pull_progress(const proto::Event& event) {
  if (event.phase != proto::Phase::pull || !event.data.is_object()) return std::nullopt;
  auto count = [&](const char* key) -> std::optional<std::uint64_t> {
    auto it = event.data.find(key);
    if (it == event.data.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0) {
      return std::nullopt;
    }
    return it->get<std::uint64_t>();
  };
  auto bytes = count("bytes");
  if (!bytes) return std::nullopt;
  return PullProgress{*bytes, count("total").value_or(0)};
}

FailureDetails failure_details(const Deployment& d) {
  FailureDetails details;
  details.reason = d.error;
  const proto::Event* failing = nullptr;
  for (const auto& event : d.events) {
    if (event.level == proto::EventLevel::error) failing = &event;
  }
  if (details.reason.empty() && failing) details.reason = failing->message;
  if (details.reason.empty()) details.reason = std::string(to_string(d.state)) + " in " +
                                               std::string(to_string(d.phase));
  // The failing event's logs; else the last logs from the phase it failed in (logs of an
  // earlier phase that went fine would only mislead).
  auto take_logs = [&details](const proto::Event& event) {
    auto lines = logs_of(event);
    if (lines.empty()) return false;
    details.log_lines = std::move(lines);
    details.log_phase = std::string(to_string(event.phase));
    return true;
  };
  if (failing && take_logs(*failing)) return details;
  for (auto it = d.events.rbegin(); it != d.events.rend(); ++it) {
    if (it->phase == d.phase && take_logs(*it)) break;
  }
  return details;
}

std::string failure_block(const Deployment& d, std::size_t max_chars) {
  constexpr std::size_t kReasonChars = 400;
  constexpr std::size_t kLineChars = 200;
  auto details = failure_details(d);
  std::string head = "FAILED: " + where(d) + " " + d.version + ": " +
                     printable(details.reason, kReasonChars) + "\n";
  if (head.size() > max_chars) return head.substr(0, max_chars);
  if (details.log_lines.empty()) return head;
  std::string title = "last log lines (" + details.log_phase + "):\n";
  // Take lines from the end while they fit; print them in order.
  std::vector<std::string> kept;
  std::size_t used = head.size() + title.size();
  for (auto it = details.log_lines.rbegin(); it != details.log_lines.rend(); ++it) {
    std::string line = "  | " + printable(*it, kLineChars) + "\n";
    if (used + line.size() > max_chars) break;
    used += line.size();
    kept.push_back(std::move(line));
  }
  if (kept.empty()) return head;
  std::string block = head + title;
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) block += *it;
  return block;
}

std::string summary_line(const Deployment& d) {
  std::string took = duration_of(d);
  std::string tail = " (" + std::string(to_string(d.kind)) + " " + d.id +
                     (took.empty() ? "" : ", " + took) + ")";
  // What serves after a deployment that did not go live.
  std::string serving = d.previous_version.empty() ? "no release was live before"
                        : d.previous_serving     ? d.previous_version + " still serves"
                                                 : "nothing serves (" + d.previous_version + " was not running)";
  if (d.dry_run) {
    return (d.state == DeploymentState::succeeded ? "OK " : "FAILED ") + where(d) +
           ": dry run of " + d.version + ", nothing changed" + tail;
  }
  switch (d.state) {
    case DeploymentState::succeeded:
      return "OK " + where(d) + ": " + d.version + " is live" + tail;
    case DeploymentState::failed:
      return "FAILED " + where(d) + ": " + d.version + " failed in " +
             std::string(to_string(d.phase)) + "; " + serving + tail;
    case DeploymentState::rolled_back:
      return "FAILED " + where(d) + ": " + d.version + " was rolled back in " +
             std::string(to_string(d.phase)) + "; " + serving + tail;
    case DeploymentState::cancelled:
      return "CANCELLED " + where(d) + ": " + d.version + " cancelled in " +
             std::string(to_string(d.phase)) + "; " + serving + tail;
    case DeploymentState::interrupted:
      return "FAILED " + where(d) + ": " + d.version + " interrupted (agent restarted) in " +
             std::string(to_string(d.phase)) + "; " + serving + tail;
    case DeploymentState::pending:
    case DeploymentState::running:
      break;
  }
  return "RUNNING " + where(d) + ": " + d.version + " in " + std::string(to_string(d.phase)) +
         tail;
}

std::string timeout_message(const Deployment& d, std::string_view why) {
  return "TIMED OUT: " + std::string(why) + "; " + std::string(to_string(d.kind)) + " " + d.id +
         " of " + where(d) + " " + d.version + " goes on in the agent (last seen: " +
         std::string(to_string(d.state)) + ", phase " + std::string(to_string(d.phase)) +
         "). Follow it with: fical-client wait " + d.id;
}

std::string printable(std::string_view text, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars));
  // A line break stays one, indented as a continuation (nginx -t and Docker answer in
  // several lines); a trailing one is dropped; other control bytes (escapes) become '?'.
  auto end = text.find_last_not_of("\r\n");
  text = text.substr(0, end == std::string_view::npos ? 0 : end + 1);
  std::size_t i = 0;
  for (; i < text.size() && out.size() < max_chars; ++i) {
    char c = text[i];
    auto byte = static_cast<unsigned char>(c);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n') out += "\n    ";
    else out += (byte < 0x20 && c != '\t') || byte == 0x7f ? '?' : c;
  }
  if ((i < text.size() || out.size() > max_chars) && max_chars >= 3) {
    out.resize(max_chars - 3);
    out += "...";
  }
  return out;
}

std::string format_bytes(std::uint64_t bytes) {
  constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000.0 && unit < 4) {
    value /= 1000.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string format_elapsed(std::chrono::milliseconds elapsed) {
  auto ms = elapsed.count();
  if (ms < 0) ms = 0;
  char text[32];
  if (ms < 1000) {
    std::snprintf(text, sizeof text, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms) / 1000.0);
  } else {
    auto seconds = ms / 1000;
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  }
  return text;
}

std::string clock_time(proto::TimePoint time) {
  auto text = proto::format_time(time);  // 2026-11-26T22:03:13.123Z
  return text.size() >= 19 ? text.substr(11, 8) : text;
}

}  // namespace fical::client
