#pragma once
// How a watched deployment is shown: live progress on a TTY, plain lines for SSM, or JSON.
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string_view>

#include "proto/deployment.hpp"

namespace fical::client {

/// Receives a deployment's progress while the client watches it, then its end.
class ProgressView {
 public:
  virtual ~ProgressView() = default;
  /// The deployment as the agent accepted it (202).
  virtual void started(const proto::Deployment& deployment) = 0;
  /// Each event once, in seq order.
  virtual void event(const proto::Event& event) = 0;
  /// A note from the client itself, e.g. "connection lost, reconnecting".
  virtual void notice(std::string_view text) = 0;
  /// The final record (GET /v1/deployments/{id}) of a deployment that ended.
  virtual void finished(const proto::Deployment& deployment) = 0;
  /// The client stops watching before the end (--timeout): `last_known` is still running.
  virtual void gave_up(const proto::Deployment& last_known, std::string_view why) = 0;
};

enum class OutputMode { tty, plain, json };

/// The view for a mode; `width` is the terminal's column count (tty mode only).
std::unique_ptr<ProgressView> make_progress_view(OutputMode mode, std::ostream& out,
                                                 std::size_t width = 80);

}  // namespace fical::client
