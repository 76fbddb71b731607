// Guests from a libvirt connection, through libvirt's C API (libvirt-dev): every domain,
// active and inactive, by its XML; a remote URI goes through libvirt's own protocol, so sipl
// needs nothing on the remote host. Built only when CMake found libvirt (SIPL_HAVE_LIBVIRT).
//
// libvirt.so.0 is loaded with dlopen the first time a connection is opened, not linked: it
// pulls ~30 shared libraries (glib, gnutls, curl, ...) whose loading and relocation cost every
// sipl process ~30 ms of CPU at start-up (docs/PERFORMANCE.md, issue 15), for one verb's option.
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "sipl/base/file.h"
#include "sipl/fleet/guest_source.h"
#include "sipl/mgmt/domain_xml.h"

#ifdef SIPL_HAVE_LIBVIRT
#include <dlfcn.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif

namespace sipl::fleet {

bool is_remote_uri(const std::string& uri) {
  // driver[+transport]://[user@]host[:port]/path?params: a host other than localhost is remote.
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) return false;
  std::string_view rest = std::string_view(uri).substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (!authority.empty() && authority.front() == '[') authority = authority.substr(1, authority.find(']') - 1);
  else authority = authority.substr(0, authority.find(':'));
  return !authority.empty() && authority != "localhost" && authority != "127.0.0.1" && authority != "::1";
}

#ifndef SIPL_HAVE_LIBVIRT

bool have_libvirt() { return false; }

Result<Collection> collect_libvirt(const std::string& uri) {
  return fail(ErrorCode::kUnsupported,
              fmt::format("cannot read {}: this sipl was built without libvirt (install libvirt-dev and rebuild; "
                          "--xml-dir /etc/libvirt/qemu reads the definitions without it)",
                          uri));
}

#else

namespace {

// The libvirt functions sipl calls, resolved from libvirt.so.0 (the soname libvirt has kept
// since 0.x); the prototypes are the headers'.
struct Libvirt {
  decltype(&::virInitialize) initialize = nullptr;
  decltype(&::virSetErrorFunc) set_error_func = nullptr;
  decltype(&::virGetLastErrorMessage) last_error_message = nullptr;
  decltype(&::virConnectOpenReadOnly) open_read_only = nullptr;
  decltype(&::virConnectClose) close = nullptr;
  decltype(&::virConnectListAllDomains) list_all_domains = nullptr;
  decltype(&::virDomainFree) domain_free = nullptr;
  decltype(&::virDomainGetName) domain_name = nullptr;
  decltype(&::virDomainGetXMLDesc) domain_xml = nullptr;
  decltype(&::virDomainIsActive) domain_is_active = nullptr;
  std::string missing;  // why it cannot be used; empty when every function was found
};

// libvirt prints every error on stderr unless told otherwise; sipl reports them itself.
void quiet(void*, virErrorPtr) {}

Libvirt load_libvirt() {
  Libvirt l;
  void* h = ::dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);  // never closed: libvirt keeps threads
  if (h == nullptr) {
    const char* e = ::dlerror();
    l.missing = fmt::format("cannot load libvirt ({}; Debian: install libvirt0)", e ? e : "libvirt.so.0 not found");
    return l;
  }
  auto get = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(h, name));
    if (fn == nullptr && l.missing.empty()) l.missing = fmt::format("libvirt.so.0 has no {}", name);
  };
  get(l.initialize, "virInitialize");
  get(l.set_error_func, "virSetErrorFunc");
  get(l.last_error_message, "virGetLastErrorMessage");
  get(l.open_read_only, "virConnectOpenReadOnly");
  get(l.close, "virConnectClose");
  get(l.list_all_domains, "virConnectListAllDomains");
  get(l.domain_free, "virDomainFree");
  get(l.domain_name, "virDomainGetName");
  get(l.domain_xml, "virDomainGetXMLDesc");
  get(l.domain_is_active, "virDomainIsActive");
  if (l.missing.empty()) {
    l.initialize();
    l.set_error_func(nullptr, quiet);
  }
  return l;
}

const Libvirt& libvirt() {
  static const Libvirt l = load_libvirt();
  return l;
}

struct ConnectClose {
  void operator()(virConnectPtr c) const { libvirt().close(c); }
};
struct DomainFree {
  void operator()(virDomainPtr d) const { libvirt().domain_free(d); }
};

std::string last_error() {
  const char* m = libvirt().last_error_message();
  return m != nullptr ? m : "unknown libvirt error";
}

// The test driver's node file (test:///ABS/PATH.xml): the definitions the domains came from,
// by name, so that what the driver dropped can be named.
std::vector<GuestDefinition> node_file_domains(const std::string& uri) {
  std::vector<GuestDefinition> out;
  constexpr std::string_view kPrefix = "test://";
  if (!uri.starts_with(kPrefix) || uri == "test:///default") return out;
  std::string path = uri.substr(kPrefix.size());
  path = path.substr(0, path.find('?'));
  auto bytes = read_file(path, mgmt::XmlLimits{}.max_bytes);
  if (!bytes) return out;
  const std::string text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  // The node file's <domain> children, cut out as text: domains do not nest, and a namespace
  // a domain uses is declared on it (as libvirt writes them).
  for (size_t at = 0;;) {
    size_t open = text.find("<domain", at);
    while (open != std::string::npos && open + 7 < text.size() && text[open + 7] != ' ' && text[open + 7] != '>' &&
           text[open + 7] != '\n' && text[open + 7] != '\t')
      open = text.find("<domain", open + 7);
    if (open == std::string::npos) break;
    const size_t close = text.find("</domain>", open);
    if (close == std::string::npos) break;
    std::string one = text.substr(open, close + 9 - open);
    at = close + 9;
    auto x = mgmt::DomainXml::parse(one, path);
    if (!x) continue;
    GuestDefinition g;
    g.name = x->domain().name;
    g.domain_xml = std::move(one);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

bool have_libvirt() { return libvirt().missing.empty(); }

Result<Collection> collect_libvirt(const std::string& uri) {
  const Libvirt& lv = libvirt();
  if (!lv.missing.empty())
    return fail(ErrorCode::kUnsupported,
                fmt::format("cannot read {}: {} (--xml-dir /etc/libvirt/qemu reads the definitions without it)", uri,
                            lv.missing));
  Collection c;
  std::unique_ptr<virConnect, ConnectClose> conn(lv.open_read_only(uri.c_str()));
  if (!conn) {
    c.failed = true;
    c.findings.push_back({Severity::kError, ids::kAuditConnectFailed,
                          fmt::format("cannot connect to {}: {}", uri, last_error()), {{"source", uri}}});
    return c;
  }
  virDomainPtr* raw = nullptr;
  const int n = lv.list_all_domains(conn.get(), &raw, 0);  // active and inactive
  if (n < 0) {
    c.failed = true;
    c.findings.push_back({Severity::kError, ids::kAuditConnectFailed,
                          fmt::format("cannot list the domains of {}: {}", uri, last_error()), {{"source", uri}}});
    return c;
  }
  std::vector<std::unique_ptr<virDomain, DomainFree>> doms;
  for (int i = 0; i < n; ++i) doms.emplace_back(raw[i]);
  free(raw);
  const bool remote = is_remote_uri(uri);
  auto defined = node_file_domains(uri);
  for (const auto& d : doms) {
    const char* name = lv.domain_name(d.get());
    // flags 0: the live definition of a running domain (what its next reboot uses, the QEMU
    // process staying), the persistent one of an inactive domain.
    char* xml = lv.domain_xml(d.get(), 0);
    if (xml == nullptr) {
      c.findings.push_back({Severity::kError, ids::kAuditXmlUnreadable,
                            fmt::format("{}: cannot read the XML of domain '{}': {}", uri, name ? name : "?", last_error()),
                            {{"source", uri}}});
      c.failed = true;
      continue;
    }
    std::string text(xml);
    free(xml);
    auto x = mgmt::DomainXml::parse(text, uri);
    if (!x) {
      c.findings.push_back({Severity::kError, ids::kAuditXmlUnreadable, x.error().to_string(), {{"source", uri}}});
      continue;
    }
    if (!mgmt::is_s390_ccw(x->domain())) {
      c.findings.push_back({Severity::kInfo, ids::kAuditNotS390x,
                            fmt::format("{}: domain '{}' is not an s390x guest on an s390-ccw machine; skipped", uri,
                                        x->domain().name),
                            {{"source", uri}, {"name", x->domain().name}}});
      continue;
    }
    GuestDefinition g;
    g.name = x->domain().name;
    g.kind = SourceKind::kLibvirt;
    g.source = uri;
    g.uuid = x->domain().uuid;
    g.active = lv.domain_is_active(d.get()) == 1;
    g.remote = remote;
    g.domain_xml = std::move(text);
    for (const auto& def : defined)
      if (def.name == g.name) g.defined_xml = def.domain_xml;
    c.guests.push_back(std::move(g));
  }
  return c;
}

#endif

}  // namespace sipl::fleet
