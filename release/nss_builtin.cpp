// The static release binaries look names up only with the NSS modules glibc's static
// library has built in (files, dns). A host's /etc/nsswitch.conf may name others
// (myhostname, resolve, sss, ldap ...), which a static program would dlopen from the
// host's glibc: a different version from the one linked in, which glibc does not
// support. Linked whole into both release binaries; the developer build uses the host's
// NSS as configured.
#include <nss.h>

#include <initializer_list>

namespace {

__attribute__((constructor)) void use_builtin_nss_modules() {
  __nss_configure_lookup("hosts", "files dns");
  __nss_configure_lookup("networks", "files dns");
  for (const char* database : {"passwd", "group", "shadow", "services", "protocols"}) {
    __nss_configure_lookup(database, "files");
  }
}

}  // namespace
