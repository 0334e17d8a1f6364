#include "client/status_text.hpp"

#include <algorithm>

#include "client/report.hpp"

namespace fical::client {
namespace {

std::string or_dash(const std::string& text) { return text.empty() ? "-" : printable(text, 80); }

}  // namespace

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string apps_table(const std::vector<proto::AppSummary>& apps) {
  if (apps.empty()) return "no apps configured in the agent\n";
  std::vector<std::vector<std::string>> rows{{"APP", "ENV", "LIVE", "COLOR", "RUNNING"}};
  for (const auto& app : apps) {
    for (const auto& env : app.environments) {
      rows.push_back({printable(app.name, 63), printable(env.name, 63), or_dash(env.live_version),
                      or_dash(env.live_color), or_dash(env.running_deployment)});
    }
  }
  return table(rows);
}

std::string env_status_text(const proto::EnvStatus& s) {
  std::string out = s.app + "/" + s.env + "\n";
  if (s.live) {
    const auto& r = *s.live;
    out += "  live:     " + printable(r.version, 128) + " (color " + or_dash(r.color) +
           ", deployed " + proto::format_time(r.deployed_at) + " by " + or_dash(r.deployed_by) +
           ", deployment " + or_dash(r.deployment_id) + ")\n";
  } else {
    out += "  live:     nothing deployed yet\n";
  }
  if (s.running) {
    const auto& d = *s.running;
    out += "  running:  " + std::string(to_string(d.kind)) + " " + printable(d.version, 128) +
           " (deployment " + d.id + ", " + std::string(to_string(d.state)) + ", phase " +
           std::string(to_string(d.phase)) + ")\n";
  } else {
    out += "  running:  no deployment\n";
  }
  if (s.maintenance) {
    const auto& m = *s.maintenance;
    out += "  maintenance: on since " + proto::format_time(m.since) + " by " + or_dash(m.by) + " (503, Retry-After " +
           std::to_string(m.retry_after_seconds) + "s" +
           (m.message.empty() ? std::string() : ": " + printable(m.message, 200)) + ")\n";
  }
  if (s.containers_view == proto::ContainersView::unknown) {
    return out + "  containers: unknown (Docker has not answered the agent since it started)\n";
  }
  std::string stale = s.containers_view == proto::ContainersView::stale
                          ? " (as Docker last reported them: Docker is not answering now)"
                          : "";
  if (s.containers.empty()) return out + "  containers: none" + stale + "\n";
  std::vector<std::vector<std::string>> rows{
      {"    SERVICE", "COLOR", "VERSION", "STATE", "HEALTH", "NAME"}};
  for (const auto& c : s.containers) {
    rows.push_back({"    " + or_dash(c.service), or_dash(c.color), or_dash(c.version),
                    or_dash(c.state), or_dash(c.health), or_dash(c.name)});
  }
  return out + "  containers:" + stale + "\n" + table(rows);
}

std::string releases_table(const std::vector<proto::Release>& releases) {
  if (releases.empty()) return "no releases yet\n";
  std::vector<std::vector<std::string>> rows{
      {"VERSION", "COLOR", "DEPLOYED (UTC)", "BY", "DEPLOYMENT", "IMAGES"}};
  for (const auto& r : releases) {
    std::string images;
    for (const auto& image : r.images) {
      if (!images.empty()) images += ", ";
      images += image.service + "=" + (image.digest.empty() ? image.image : image.digest.substr(0, 19));
    }
    rows.push_back({printable(r.version, 128), or_dash(r.color), proto::format_time(r.deployed_at),
                    or_dash(r.deployed_by), or_dash(r.deployment_id), or_dash(images)});
  }
  return table(rows);
}

std::string deployments_table(const std::vector<proto::Deployment>& deployments) {
  if (deployments.empty()) return "no deployments yet\n";
  std::vector<std::vector<std::string>> rows{
      {"DEPLOYMENT", "KIND", "VERSION", "RESULT", "STARTED (UTC)", "TOOK", "BY", "REASON"}};
  for (const auto& d : deployments) {
    auto took = d.ended_at ? format_elapsed(std::chrono::duration_cast<std::chrono::milliseconds>(*d.ended_at - d.created_at))
                           : std::string("-");
    auto reason = printable(d.error, 60);
    rows.push_back({d.id, std::string(to_string(d.kind)) + (d.dry_run ? " (dry run)" : ""), printable(d.version, 64),
                    std::string(to_string(d.state)), proto::format_time(d.created_at), took, or_dash(d.actor),
                    or_dash(reason)});
  }
  return table(rows);
}

std::string env_choice_note(const proto::Deployment& d) {
  if (!d.env_changed) return "";
  if (d.env_source == "current") {
    return "note: the env_file changed since " + d.version + " ran; rolling back with today's (--current-env)";
  }
  return "note: the env_file changed since " + d.version +
         " ran; rolling back with the env it ran with (--current-env uses today's)";
}

}  // namespace fical::client
