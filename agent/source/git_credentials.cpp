#include "agent/source/git_credentials.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace fical::agent::source {
namespace {

/// Reads the first line of a file that only its owner may read.
bool read_private_file(const std::string& path, std::string& out, std::string& failure) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    failure = "the token file " + path + " cannot be read";
    return false;
  }
  if ((st.st_mode & 077) != 0) {
    failure = "the token file " + path + " is readable by others: chmod 600 it";
    return false;
  }
  std::ifstream in(path);
  std::getline(in, out);
  while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
  if (out.empty()) failure = "the token file " + path + " is empty";
  return !out.empty();
}

}  // namespace

int acquire_credentials(git_credential** out, const char* /*url*/, const char* username_from_url,
                        unsigned int allowed_types, void* payload) {
  auto& state = *static_cast<CredentialState*>(payload);
  const auto& source = *state.source;
  if (++state.attempts > 1) {
    state.failure = "the repository refused the credentials";
    return GIT_EUSER;
  }
  if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && source.token_file) {
    if (state.token.empty() && !read_private_file(*source.token_file, state.token, state.failure)) return GIT_EUSER;
    auto user = username_from_url && *username_from_url ? username_from_url : "x-access-token";
    return git_credential_userpass_plaintext_new(out, user, state.token.c_str());
  }
  if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) && source.ssh_key_file) {
    auto user = username_from_url && *username_from_url ? username_from_url : "git";
    return git_credential_ssh_key_new(out, user, nullptr, source.ssh_key_file->c_str(), nullptr);
  }
  if (allowed_types & GIT_CREDENTIAL_USERNAME) {
    return git_credential_username_new(out, username_from_url && *username_from_url ? username_from_url : "git");
  }
  state.failure = "the repository asks for credentials, and the source has no token_file or ssh_key_file";
  return GIT_EUSER;
}

}  // namespace fical::agent::source
