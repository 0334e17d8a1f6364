#include "agent/compose/yaml_text.hpp"

#include <nlohmann/json.hpp>
#include <set>

namespace fical::agent::compose {

std::string yaml_scalar(const std::string& text) {
  static const std::set<std::string> reserved{
      "true", "false", "yes",   "no",  "on", "off", "null", "y",    "n",
      "~",    "True",  "False", "Yes", "No", "On",  "Off",  "Null", "NULL",
      "TRUE", "FALSE", "YES",   "NO",  "ON", "OFF", "Y",    "N"};
  bool plain = !text.empty() && !reserved.count(text) && text.back() != ':';
  for (std::size_t i = 0; plain && i < text.size(); ++i) {
    char c = text[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '/' ||
              (i > 0 && (c == '-' || c == ':' || c == '@' || c == '+' || c == '='));
    if (!ok) plain = false;
  }
  return plain ? text : nlohmann::json(text).dump();
}

std::string yaml_flow_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) out += (out.size() > 1 ? ", " : "") + yaml_scalar(item);
  return out + "]";
}

}  // namespace fical::agent::compose
