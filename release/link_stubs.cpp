// What the fully static release agent leaves out of its libraries, in their place (linked
// whole, before them, so the real objects are never pulled in). The developer build
// links the real ones.
//
// libarchive: its format table (archive_write_set_format.o, which pax needs) names every
// writer, and the xar writer needs libxml2 and through it ICU (30 MB). fical writes only
// pax tar (agent/docker), so xar fails cleanly instead.
//
// libgit2: Debian builds it with GSSAPI for HTTP "Negotiate" (Kerberos) auth, and krb5
// has no static library. fical fetches with tokens or SSH keys; a server that asks for
// Negotiate gets the error every GSSAPI call here returns (GSS_S_FAILURE).
#include <archive.h>

#include <cerrno>
#include <cstdint>

extern "C" {

int archive_write_set_format_xar(struct archive* a) {
  archive_set_error(a, EINVAL, "xar format is not in fical's release build");
  return ARCHIVE_FATAL;
}

using OM_uint32 = std::uint32_t;
constexpr OM_uint32 kGssFailure = 13u << 16;  // GSS_S_FAILURE (RFC 2744)

void* GSS_C_NT_HOSTBASED_SERVICE = nullptr;

namespace {
OM_uint32 gss_failed(OM_uint32* minor) {
  if (minor != nullptr) *minor = 0;
  return kGssFailure;
}
}  // namespace

OM_uint32 gss_indicate_mechs(OM_uint32* minor, void**) { return gss_failed(minor); }
OM_uint32 gss_release_oid_set(OM_uint32* minor, void**) { return gss_failed(minor); }
OM_uint32 gss_import_name(OM_uint32* minor, void*, void*, void**) { return gss_failed(minor); }
OM_uint32 gss_release_name(OM_uint32* minor, void**) { return gss_failed(minor); }
OM_uint32 gss_release_buffer(OM_uint32* minor, void*) { return gss_failed(minor); }
OM_uint32 gss_delete_sec_context(OM_uint32* minor, void**, void*) { return gss_failed(minor); }
OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32, int, void*, OM_uint32*, void*) {
  return gss_failed(minor);
}
OM_uint32 gss_init_sec_context(OM_uint32* minor, void*, void**, void*, void*, OM_uint32, OM_uint32, void*,
                               void*, void**, void*, OM_uint32*, OM_uint32*) {
  return gss_failed(minor);
}

}  // extern "C"
