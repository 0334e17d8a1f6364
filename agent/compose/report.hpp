#pragma once
// The report of an import: items in the order found, each at most once.
#include <set>
#include <string>
#include <vector>

#include "agent/compose/import.hpp"

namespace fical::agent::compose {

/// Collects ReportItems without repeats (every environment maps the same services).
class Report {
 public:
  void unmapped(const std::string& path, const std::string& message) {
    add(ReportItem::Kind::unmapped, path, message);
  }
  void note(const std::string& path, const std::string& message) {
    add(ReportItem::Kind::note, path, message);
  }
  void accessory(const std::string& path, const std::string& message) {
    add(ReportItem::Kind::accessory, path, message);
  }
  std::vector<ReportItem> take() { return std::move(items_); }

 private:
  void add(ReportItem::Kind kind, const std::string& path, const std::string& message) {
    if (seen_.insert(path + "\n" + message).second) items_.push_back({kind, path, message});
  }
  std::vector<ReportItem> items_;
  std::set<std::string> seen_;
};

}  // namespace fical::agent::compose
