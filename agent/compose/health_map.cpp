#include "agent/compose/health_map.hpp"

#include <algorithm>

#include "agent/compose/yaml_text.hpp"
#include "proto/durations.hpp"

namespace fical::agent::compose {

ComposeHealth read_healthcheck(const YAML::Node& check, const std::string& hpath, Report& report,
                               std::vector<std::string>& errors) {
  ComposeHealth h;
  if (!check.IsMap()) {
    errors.push_back(hpath + ": must be a map");
    return h;
  }
  h.present = true;
  if (scalar(check["disable"]) == "true") {
    h.disabled = true;
    return h;
  }
  auto test = check["test"];
  std::vector<std::string> words;
  if (test && test.IsSequence()) {
    auto items = strings_of(test);
    if (!items.empty() && items[0] == "NONE") {
      h.disabled = true;
      return h;
    }
    if (items.size() >= 2 && items[0] == "CMD") {
      words.assign(items.begin() + 1, items.end());
      h.exec = words;
    } else if (items.size() == 2 && items[0] == "CMD-SHELL") {
      words = split_words(items[1]).value_or(std::vector<std::string>{});
      h.exec = {"/bin/sh", "-c", items[1]};
    } else {
      errors.push_back(hpath + ".test: must start with CMD, CMD-SHELL or NONE");
      return h;
    }
  } else if (test && test.IsScalar()) {
    words = split_words(test.Scalar()).value_or(std::vector<std::string>{});
    h.exec = {"/bin/sh", "-c", test.Scalar()};
  } else {
    report.unmapped(hpath, "no test: the image's HEALTHCHECK is used (health: {docker: true})");
    h.exec.clear();
    return h;
  }
  h.url = local_http_check(words);
  auto duration = [&](const char* key, std::chrono::milliseconds fallback) {
    auto text = scalar(check[key]);
    if (text.empty()) return fallback;
    auto parsed = parse_compose_duration(text);
    if (!parsed)
      errors.push_back(hpath + "." + key + ": \"" + text +
                       "\" is not a duration like 30s or 1m30s");
    return parsed.value_or(fallback);
  };
  if (check["interval"] || check["retries"] || check["start_period"]) {
    auto interval = duration("interval", std::chrono::seconds(30));
    auto start = duration("start_period", std::chrono::seconds(0));
    long retries = 3;
    try {
      if (check["retries"]) retries = check["retries"].as<long>();
    } catch (const YAML::Exception&) {
      errors.push_back(hpath + ".retries: must be a whole number");
    }
    h.deadline =
        std::max<std::chrono::milliseconds>(std::chrono::seconds(10), start + interval * retries);
    h.comment = "deadline: start_period + interval x retries";
  }
  for (const char* key : {"timeout", "start_interval"}) {
    if (check[key])
      report.note(hpath + "." + key, "not mapped: fical probes with its own timeouts");
  }
  return h;
}

std::optional<OutLine> health_line(const ComposeHealth& h, bool routed, bool host_network,
                                   const std::string& hpath, Report& report) {
  std::vector<std::pair<std::string, std::string>> items;
  std::string comment;
  if (h.present && h.disabled) {
    if (routed) {
      items.emplace_back("http", "/");
      comment =
          "compose disables the check; fical needs one for a routed service: set the app's "
          "health path";
      report.note(hpath,
                  "disabled in compose; fical checks GET / (a routed service needs a check)");
    }
  } else if (h.url && routed) {
    // On a Docker network too: the agent probes the address Docker reports for the container.
    items.emplace_back("http", yaml_scalar(h.url->path));
    comment = std::string("compose's healthcheck fetched this path") +
              (host_network ? "" : "; fical probes the container's address on the network");
  } else if (!h.exec.empty()) {
    items.emplace_back("exec", yaml_flow_list(h.exec));
    comment = "compose's healthcheck, run inside the container";
  } else if (h.present) {
    items.emplace_back("docker", "true");
  } else if (routed) {
    items.emplace_back("http", "/");
    comment = "compose has no healthcheck: set the app's health path";
    report.note(hpath,
                "none in compose; fical checks GET / for a routed service: set health.http to "
                "the app's health path");
  }
  if (h.deadline && !items.empty()) {
    items.emplace_back("deadline", proto::format_duration(*h.deadline));
    comment += (comment.empty() ? "" : "; ") + h.comment;
  }
  if (items.empty()) return std::nullopt;
  return OutLine{"health", flow_map(items), comment, {}};
}

}  // namespace fical::agent::compose
