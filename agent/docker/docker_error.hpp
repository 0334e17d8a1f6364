#pragma once
// The one exception type of the Docker client: what went wrong, and Docker's own words.
#include <stdexcept>
#include <string>
#include <string_view>

namespace fical::agent::docker {

enum class DockerErrorKind {
  unreachable,  // socket missing, connection refused or reset, daemon went away
  timeout,      // the call's deadline passed
  http,         // the daemon answered a non-success status (status() and Docker's message)
  stream,       // an error inside a 200 stream (errorDetail in a pull or build)
  malformed,    // an answer we cannot parse: bad JSON, bad frame, a line over the limit
  cancelled,    // the caller's callback asked to stop an operation that must complete
};

std::string_view to_string(DockerErrorKind kind);

/// A failed Docker call. what() is a full sentence for logs; docker_message() is Docker's
/// own {"message"} (or the stream's errorDetail) when there was one.
class DockerError : public std::runtime_error {
 public:
  DockerError(DockerErrorKind kind, std::string what, int status = 0,
              std::string docker_message = {});

  DockerErrorKind kind() const { return kind_; }
  int status() const { return status_; }  // HTTP status for kind http, else 0
  const std::string& docker_message() const { return docker_message_; }
  bool is_not_found() const { return kind_ == DockerErrorKind::http && status_ == 404; }
  bool is_conflict() const { return kind_ == DockerErrorKind::http && status_ == 409; }

 private:
  DockerErrorKind kind_;
  int status_;
  std::string docker_message_;
};

/// The error for a non-success answer: Docker's {"message"} when the body is that JSON,
/// else the start of the body as text. `call` names the request, e.g. "POST /containers/create".
DockerError http_error(std::string_view call, int status, std::string_view body);

}  // namespace fical::agent::docker
