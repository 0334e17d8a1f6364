#include "agent/metrics/emf_file.hpp"

#include "agent/metrics/emf.hpp"

namespace fical::agent::metrics {

EmfFile::EmfFile(std::filesystem::path path, std::string cloudwatch_namespace, ErrorHandler on_error,
                 store::JsonLinesLog::Options options)
    : log_(std::move(path), options), namespace_(std::move(cloudwatch_namespace)), on_error_(std::move(on_error)) {}

void EmfFile::record(const proto::Deployment& deployment) {
  auto record = emf_record(deployment, namespace_);
  if (!record) return;
  try {
    log_.append(*record);
  } catch (const std::exception& e) {
    if (on_error_) on_error_("EMF file: " + std::string(e.what()));
  }
}

}  // namespace fical::agent::metrics
