#define SIPL_LIBXML2_NO_MACROS
#include "mgmt/libxml.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace sipl::mgmt {
namespace {

[[noreturn]] void cannot_load(const char* what) {
  std::fprintf(stderr, "sipl: cannot load libxml2 (%s); install it (Debian: libxml2)\n", what);
  std::fflush(stderr);
  std::_Exit(4);
}

LibXml2 load() {
  // The soname of the libxml2 sipl was compiled against (2.x has kept it).
  void* h = ::dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);  // never closed
  if (h == nullptr) {
    const char* e = ::dlerror();
    cannot_load(e != nullptr ? e : "libxml2.so.2 not found");
  }
  LibXml2 l;
  auto get = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(h, name));
    if (fn == nullptr) cannot_load(name);
  };
#define SIPL_LIBXML2_GET(name) get(l.name##_, #name);
  SIPL_LIBXML2_FUNCTIONS(SIPL_LIBXML2_GET)
#undef SIPL_LIBXML2_GET
#ifdef LIBXML_THREAD_ALLOC_ENABLED
  get(l.xml_free_, "__xmlFree");
#else
  get(l.xml_free_, "xmlFree");
#endif
#ifdef LIBXML_THREAD_ENABLED
  get(l.parser_version_, "__xmlParserVersion");
#else
  get(l.parser_version_, "xmlParserVersion");
#endif
  return l;
}

}  // namespace

const LibXml2& libxml2() {
  static const LibXml2 l = load();
  return l;
}

}  // namespace sipl::mgmt
