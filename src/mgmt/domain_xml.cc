#include "sipl/mgmt/domain_xml.h"

#include <fmt/format.h>

#include <charconv>
#include <utility>
#include <vector>

#include "mgmt/domain_forms.h"
#include "mgmt/domain_reader.h"
#include "mgmt/libxml.h"
#include "mgmt/xml_node.h"
#include "sipl/base/file.h"

namespace sipl::mgmt {

struct DomainXml::Impl {
  xml::DocPtr doc;
  Domain domain;
  Findings findings;
  std::string source;
};

namespace {

// Set while parsing; the SAX hooks below record the first DOCTYPE and stop the parser there,
// before any entity of an internal subset can be declared.
struct ParseGuard {
  bool doctype = false;
  uint64_t line = 0;
  bool have_error = false;  // the first error libxml2 reports, the one that explains
  std::string error;
  uint64_t error_line = 0;
};

void record_error(void* ctx, xmlError* e) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  auto* g = static_cast<ParseGuard*>(ctxt->_private);
  if (g == nullptr || g->have_error || e == nullptr || e->level < XML_ERR_ERROR) return;
  g->have_error = true;
  g->error = e->message != nullptr ? e->message : "malformed XML";
  g->error_line = e->line > 0 ? static_cast<uint64_t>(e->line) : 0;
}

void refuse_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  auto* g = static_cast<ParseGuard*>(ctxt->_private);
  if (!g->doctype) {
    g->doctype = true;
    g->line = static_cast<uint64_t>(xmlSAX2GetLineNumber(ctx));
  }
  xmlStopParser(ctxt);
}

void refuse_entity(void* ctx, const xmlChar*, int, const xmlChar*, const xmlChar*, xmlChar*) {
  refuse_doctype(ctx, nullptr, nullptr, nullptr);
}

struct CtxtFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

// libxml2 messages end in a newline and sometimes carry trailing spaces.
std::string trim(std::string m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  for (auto p = m.find('\n'); p != std::string::npos; p = m.find('\n', p)) m.replace(p, 1, "; ");
  return m;
}

Status check_shape(const xmlNode* root, const std::string& source, const XmlLimits& limits) {
  // Iterative walk: no recursion on attacker-controlled depth.
  size_t elements = 0;
  std::vector<std::pair<const xmlNode*, unsigned>> stack{{root, 1}};
  while (!stack.empty()) {
    auto [n, depth] = stack.back();
    stack.pop_back();
    if (n->type != XML_ELEMENT_NODE) continue;
    if (++elements > limits.max_elements)
      return fail(ErrorCode::kLimit,
                  fmt::format("too many elements (more than {})", limits.max_elements),
                  Location::at_line(source, xml::line(n)));
    if (depth > limits.max_depth)
      return fail(ErrorCode::kLimit,
                  fmt::format("elements nested deeper than {} levels", limits.max_depth),
                  Location::at_line(source, xml::line(n)));
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) stack.emplace_back(c, depth + 1);
  }
  return {};
}

bool whitespace_only(const xmlNode* n) {
  if (n == nullptr || n->type != XML_TEXT_NODE || n->content == nullptr) return false;
  for (const xmlChar* p = n->content; *p != 0; ++p)
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return false;
  return true;
}

std::string indent_before(const xmlNode* n) {
  if (!whitespace_only(n->prev)) return "    ";
  std::string s = reinterpret_cast<const char*>(n->prev->content);
  auto nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

void add_text(xmlNode* parent, const std::string& s) {
  xmlAddChild(parent, xmlNewText(reinterpret_cast<const xmlChar*>(s.c_str())));
}

// Rewrites <os>'s boot certificates into one libvirt-form <boot-certs>; leaves a document
// that already has exactly one libvirt-form element alone.
void normalize_boot_certs(xmlDoc* doc, xmlNode* os) {
  std::vector<xmlNode*> elems;
  std::vector<std::string> paths;
  bool seed = false;
  for (xmlNode* c = os->children; c != nullptr; c = c->next) {
    if (!xml::is(c, "boot-certs")) continue;
    elems.push_back(c);
    if (auto p = xml::attr(c, "path")) {
      seed = true;
      paths.push_back(*p);
    }
    for (xmlNode* p = c->children; p != nullptr; p = p->next)
      if (xml::is(p, "path")) paths.push_back(xml::text(p));
  }
  if (elems.empty() || (elems.size() == 1 && !seed)) return;
  std::string indent = indent_before(elems.front());
  xmlNode* merged = xmlNewDocNode(doc, nullptr, reinterpret_cast<const xmlChar*>("boot-certs"), nullptr);
  for (const auto& p : paths) {
    add_text(merged, "\n" + indent + "  ");
    xmlNewTextChild(merged, nullptr, reinterpret_cast<const xmlChar*>("path"),
                    reinterpret_cast<const xmlChar*>(p.c_str()));
  }
  add_text(merged, "\n" + indent);
  xmlNode* old = xmlReplaceNode(elems.front(), merged);
  xmlFreeNode(old);
  for (size_t i = 1; i < elems.size(); ++i) {
    if (whitespace_only(elems[i]->prev)) {
      xmlNode* ws = elems[i]->prev;
      xmlUnlinkNode(ws);
      xmlFreeNode(ws);
    }
    xmlUnlinkNode(elems[i]);
    xmlFreeNode(elems[i]);
  }
}

std::string serialize_doc(const xmlDoc* doc) {
  std::string out;
  for (const xmlNode* n = doc->children; n != nullptr; n = n->next) {
    if (n->type == XML_DTD_NODE) continue;
    out += xml::serialize(n);
    out += '\n';
  }
  return out;
}

}  // namespace

DomainXml::DomainXml(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DomainXml::DomainXml(DomainXml&&) noexcept = default;
DomainXml& DomainXml::operator=(DomainXml&&) noexcept = default;
DomainXml::~DomainXml() = default;

Result<DomainXml> DomainXml::parse(std::string_view text, const std::string& source_name,
                                   const XmlLimits& limits) {
  if (text.size() > limits.max_bytes)
    return fail(ErrorCode::kLimit,
                fmt::format("domain XML is {} bytes; at most {} are accepted", text.size(),
                            limits.max_bytes),
                Location(source_name));
  if (text.size() > static_cast<size_t>(INT32_MAX))
    return fail(ErrorCode::kLimit, "domain XML too large", Location(source_name));
  std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) return fail(ErrorCode::kInternal, "libxml2 could not create a parser");
  ParseGuard guard;
  ctxt->_private = &guard;
  ctxt->sax->internalSubset = refuse_doctype;
  ctxt->sax->externalSubset = refuse_doctype;
  ctxt->sax->entityDecl = refuse_entity;
  ctxt->sax->serror = record_error;
  // Deliberately absent: XML_PARSE_NOENT (entity substitution), XML_PARSE_DTDLOAD,
  // XML_PARSE_DTDATTR, XML_PARSE_XINCLUDE, XML_PARSE_HUGE. libxml2 2.9.14 has no
  // XML_PARSE_NO_XXE; refusing every DOCTYPE covers it.
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;
  xml::DocPtr doc(xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()),
                                    nullptr, nullptr, options));
  if (guard.doctype)
    return fail(ErrorCode::kBadInput,
                "DOCTYPE declarations are not accepted in domain XML (entities and external "
                "DTDs are refused)",
                Location::at_line(source_name, guard.line));
  if (!doc || !ctxt->wellFormed) {
    const xmlError* e = xmlCtxtGetLastError(ctxt.get());
    uint64_t ln = guard.have_error ? guard.error_line
                  : e != nullptr && e->line > 0 ? static_cast<uint64_t>(e->line) : 0;
    std::string msg = "malformed XML: " +
                      trim(guard.have_error ? guard.error
                           : e != nullptr && e->message != nullptr ? e->message : "malformed XML");
    return fail(ErrorCode::kBadInput, msg,
                ln != 0 ? Location::at_line(source_name, ln) : Location(source_name));
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr)
    return fail(ErrorCode::kBadInput, "no root element", Location(source_name));
  if (auto s = check_shape(root, source_name, limits); !s) return tl::unexpected(s.error());
  if (!xml::is(root, "domain"))
    return fail(ErrorCode::kBadInput,
                fmt::format("root element is <{}>, expected <domain>",
                            reinterpret_cast<const char*>(root->name)),
                Location::at_line(source_name, xml::line(root)));
  auto impl = std::make_unique<Impl>();
  impl->source = source_name;
  if (auto s = read_domain(root, source_name, limits, impl->domain, impl->findings); !s)
    return tl::unexpected(s.error());
  impl->doc = std::move(doc);
  return DomainXml(std::move(impl));
}

Result<DomainXml> DomainXml::load(const std::string& path, const XmlLimits& limits) {
  auto bytes = read_file_or_stdin(path, limits.max_bytes);
  if (!bytes) return tl::unexpected(bytes.error());
  return parse(to_string(*bytes), path == "-" ? "standard input" : path, limits);
}

const Domain& DomainXml::domain() const { return impl_->domain; }
const Findings& DomainXml::parse_findings() const { return impl_->findings; }
const std::string& DomainXml::source_name() const { return impl_->source; }

const void* DomainXml::native_document() const { return impl_->doc.get(); }

std::string DomainXml::serialized() const { return serialize_doc(impl_->doc.get()); }

std::string DomainXml::normalized(std::optional<LibvirtVersion> libvirt) const {
  xml::DocPtr copy(xmlCopyDoc(impl_->doc.get(), 1));
  if (!copy) return serialized();
  xmlNode* root = xmlDocGetRootElement(copy.get());
  const bool old_libvirt = libvirt && *libvirt < kLibvirtBootCerts;
  for (xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (!xml::is(c, "os")) continue;
    if (xml::attr(c, "firmware") == std::optional<std::string>("s390-ccw-bios"))
      xmlUnsetProp(c, reinterpret_cast<const xmlChar*>("firmware"));
    if (!old_libvirt) normalize_boot_certs(copy.get(), c);
  }
  if (old_libvirt) forms::to_qemu_commandline(copy.get(), impl_->domain);
  else forms::from_qemu_commandline(copy.get(), impl_->domain);
  return serialize_doc(copy.get());
}

std::string LibvirtVersion::to_string() const { return fmt::format("{}.{}", major, minor); }

Result<LibvirtVersion> parse_libvirt_version(std::string_view text) {
  unsigned parts[3] = {0, 0, 0};
  size_t n = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end && n < 3) {
    auto [q, ec] = std::from_chars(p, end, parts[n]);
    if (ec != std::errc() || q == p) break;
    ++n;
    p = q;
    if (p < end && *p == '.') ++p;
    else break;
  }
  if (n < 2 || p != end)
    return fail(ErrorCode::kUsage, fmt::format("'{}' is not a libvirt version such as 9.0 or 12.9", text));
  return LibvirtVersion{parts[0], parts[1]};
}

}  // namespace sipl::mgmt
