#pragma once
// The file of CloudWatch EMF lines (metrics.emf_file), which the CloudWatch agent ships.
#include <filesystem>
#include <functional>
#include <string>

#include "agent/store/json_lines_log.hpp"
#include "proto/deployment.hpp"

namespace fical::agent::metrics {

/// Appends the EMF line of each ended deployment to a JsonLinesLog (one write and fsync
/// per line, O_APPEND, mode 0600, rotated at 10 MiB to .1 .. .5). A failed write goes to
/// `on_error` (the agent logs it) and never fails the deployment.
/// Thread-safety: record() may be called from any thread (the log locks).
class EmfFile {
 public:
  using ErrorHandler = std::function<void(const std::string&)>;

  EmfFile(std::filesystem::path path, std::string cloudwatch_namespace, ErrorHandler on_error,
          store::JsonLinesLog::Options options = {});

  /// Writes the deployment's line; deployments not ended and dry runs write nothing.
  void record(const proto::Deployment& deployment);

  const std::filesystem::path& path() const { return log_.path(); }

 private:
  store::JsonLinesLog log_;
  const std::string namespace_;
  ErrorHandler on_error_;
};

}  // namespace fical::agent::metrics
