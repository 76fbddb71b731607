#include "mgmt/xml_node.h"

#include <cstring>

namespace sipl::mgmt::xml {

namespace {
const char* cs(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

std::string qualified(const xmlNs* ns, const xmlChar* name) {
  std::string out;
  if (ns != nullptr && ns->prefix != nullptr) {
    out += cs(ns->prefix);
    out += ':';
  }
  out += cs(name);
  return out;
}

void write(const xmlNode* n, std::string& out) {
  switch (n->type) {
    case XML_ELEMENT_NODE: {
      out += '<';
      out += qualified(n->ns, n->name);
      for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
        out += ' ';
        out += qualified(a->ns, a->name);
        xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
        out += "='" + escape_attr(v != nullptr ? cs(v) : "") + "'";
        xmlFree(v);
      }
      // libvirt writes namespace declarations after the attributes.
      for (const xmlNs* d = n->nsDef; d != nullptr; d = d->next) {
        out += d->prefix != nullptr ? std::string(" xmlns:") + cs(d->prefix) : " xmlns";
        out += "='" + escape_attr(d->href != nullptr ? cs(d->href) : "") + "'";
      }
      if (n->children == nullptr) {
        out += "/>";
        return;
      }
      out += '>';
      for (const xmlNode* c = n->children; c != nullptr; c = c->next) write(c, out);
      out += "</" + qualified(n->ns, n->name) + ">";
      return;
    }
    case XML_TEXT_NODE:
      if (n->content != nullptr) out += escape_text(cs(n->content));
      return;
    case XML_CDATA_SECTION_NODE:
      out += "<![CDATA[";
      if (n->content != nullptr) out += cs(n->content);
      out += "]]>";
      return;
    case XML_COMMENT_NODE:
      out += "<!--";
      if (n->content != nullptr) out += cs(n->content);
      out += "-->";
      return;
    case XML_PI_NODE:
      out += "<?";
      out += cs(n->name);
      if (n->content != nullptr && *n->content != 0) {
        out += ' ';
        out += cs(n->content);
      }
      out += "?>";
      return;
    default:
      return;  // entity references cannot occur: documents with a DOCTYPE are refused
  }
}
}  // namespace

bool is(const xmlNode* n, std::string_view name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns == nullptr &&
         name == cs(n->name);
}

std::optional<std::string> attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetNoNsProp(n, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return std::nullopt;
  std::string s(cs(v));
  xmlFree(v);
  return s;
}

std::string text(const xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  if (v == nullptr) return {};
  std::string s(cs(v));
  xmlFree(v);
  return s;
}

xmlNode* child(const xmlNode* n, std::string_view name) {
  for (xmlNode* c = n->children; c != nullptr; c = c->next)
    if (is(c, name)) return c;
  return nullptr;
}

uint64_t line(const xmlNode* n) {
  long l = xmlGetLineNo(n);
  return l > 0 ? static_cast<uint64_t>(l) : 0;
}

std::string serialize(const xmlNode* n) {
  std::string out;
  write(n, out);
  return out;
}

namespace {

// Escapes what XML must escape in text; in attribute values also quotes and the whitespace a
// parser would normalize to spaces. A raw CR is escaped in both (parsers turn it into LF).
std::string escape(std::string_view s, bool attribute) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\r': out += "&#13;"; break;
      case '\'': out += attribute ? "&apos;" : "'"; break;
      case '"': out += attribute ? "&quot;" : "\""; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_text(std::string_view s) { return escape(s, false); }

std::string escape_attr(std::string_view s) { return escape(s, true); }

}  // namespace sipl::mgmt::xml
