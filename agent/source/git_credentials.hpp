#pragma once
// libgit2's credential callback for a source: an https token from a root-only file, or an
// ssh key. Internal to fical_source.
#include <git2.h>

#include <string>

#include "agent/config/config.hpp"

namespace fical::agent::source {

/// The callback's payload: what to offer, and why it gave up (never the secret).
struct CredentialState {
  const config::Source* source = nullptr;
  int attempts = 0;
  std::string failure;
  std::string token;  // read on first use, scrubbed from messages
};

/// git_credential_acquire_cb: offers the token or key once; a second ask means it was
/// refused, and the callback gives up with a reason in state.failure.
int acquire_credentials(git_credential** out, const char* url, const char* username_from_url,
                        unsigned int allowed_types, void* payload);

}  // namespace fical::agent::source
