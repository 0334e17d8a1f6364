#include "client/transport.hpp"

namespace fical::client {

bool LineSplitter::feed(std::string_view chunk,
                        const std::function<void(std::string_view)>& on_line) {
  while (!chunk.empty()) {
    auto end = chunk.find('\n');
    if (end == std::string_view::npos) {
      pending_.append(chunk);
      return pending_.size() <= max_line_;
    }
    pending_.append(chunk.substr(0, end));
    chunk.remove_prefix(end + 1);
    if (pending_.size() > max_line_) return false;
    std::string_view line = pending_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line(line);
    pending_.clear();
  }
  return true;
}

}  // namespace fical::client
