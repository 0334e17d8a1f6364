#pragma once
// Why fetching or resolving an app's source failed, in words fit for a deployment event.
#include <stdexcept>
#include <string>

namespace fical::agent::source {

enum class SourceErrorKind { unknown_ref, ambiguous_ref, unreachable, auth, io };

const char* to_string(SourceErrorKind kind);

/// A source step that failed; what() never holds a credential.
class SourceError : public std::runtime_error {
 public:
  SourceError(SourceErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  SourceErrorKind kind() const { return kind_; }

 private:
  SourceErrorKind kind_;
};

}  // namespace fical::agent::source
