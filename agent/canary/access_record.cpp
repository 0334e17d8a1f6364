#include "agent/canary/access_record.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace fical::agent::canary {
namespace {

std::optional<double> seconds(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int status_of(const std::string& text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

std::string string_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<std::string> split_upstream_list(std::string_view text) {
  std::vector<std::string> items;
  std::string current;
  for (char c : text) {
    if (c == ',' || c == ':') {
      // ':' separates groups only as " : "; inside an address it is the port separator.
      if (c == ':' && !(current.empty() || current.back() == ' ')) {
        current += c;
        continue;
      }
      while (!current.empty() && current.back() == ' ') current.pop_back();
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else if (c != ' ' || !current.empty()) {
      current += c;
    }
  }
  while (!current.empty() && current.back() == ' ') current.pop_back();
  if (!current.empty()) items.push_back(current);
  return items;
}

std::optional<AccessRecord> parse_access_line(std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto time = j.find("time");
  auto status = j.find("status");
  if (time == j.end() || !time->is_number() || status == j.end() || !status->is_number_integer()) {
    return std::nullopt;
  }
  AccessRecord record;
  record.time = time->get<double>();
  record.status = status->get<int>();
  record.upstream_name = string_field(j, "upstream_name");
  if (auto rt = j.find("request_time"); rt != j.end() && rt->is_number())
    record.request_time = rt->get<double>();
  auto addresses = split_upstream_list(string_field(j, "upstream_addr"));
  if (addresses.empty()) return std::nullopt;
  auto statuses = split_upstream_list(string_field(j, "upstream_status"));
  auto times = split_upstream_list(string_field(j, "upstream_response_time"));
  auto connects = split_upstream_list(string_field(j, "upstream_connect_time"));
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    Attempt attempt;
    attempt.address = addresses[i];
    if (i < statuses.size()) attempt.status = status_of(statuses[i]);
    if (i < times.size()) attempt.response_time = seconds(times[i]);
    attempt.connect_failed = i < connects.size() && connects[i] == "-";
    record.attempts.push_back(std::move(attempt));
  }
  return record;
}

}  // namespace fical::agent::canary
