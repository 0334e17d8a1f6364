#include "agent/deploy/build_output.hpp"

#include <cstdint>
#include <cstdio>

namespace fical::agent::deploy {

std::string built_image_repository(const std::string& app, const std::string& service) {
  return "fical/" + app + "-" + service;
}

std::string build_fingerprint(const config::BuildSpec& build) {
  std::string canonical = "context=" + build.context + "\ndockerfile=" + build.dockerfile + "\ntarget=" +
                          build.target + "\n";
  for (const auto& [key, value] : build.args) canonical += "arg " + key + "=" + value + "\n";
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  for (unsigned char c : canonical) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

std::vector<std::string> BuildProgress::feed(const std::string& chunk) {
  std::vector<std::string> report;
  partial_ += chunk;
  for (auto newline = partial_.find('\n'); newline != std::string::npos; newline = partial_.find('\n')) {
    auto line = partial_.substr(0, newline);
    partial_.erase(0, newline + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    last_.push_back(line);
    if (last_.size() > keep_lines_) last_.pop_front();
    if (line.rfind("Step ", 0) == 0) {
      ++steps_;
      if (reported_ < max_events_) {
        ++reported_;
        report.push_back(line.size() > 300 ? line.substr(0, 300) + "..." : line);
      }
    } else if (line.find("Using cache") != std::string::npos) {
      ++cached_;
    }
  }
  return report;
}

}  // namespace fical::agent::deploy
