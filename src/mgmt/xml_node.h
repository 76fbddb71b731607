// Internal libxml2 helpers for src/mgmt: RAII for documents and strings, attribute and text
// access, and a serializer that writes XML the way libvirt does (single-quoted attributes,
// no XML declaration). Never included by public headers.
#pragma once

#include "mgmt/libxml.h"  // libxml2, loaded on first use

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sipl::mgmt::xml {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

// Returns true when `n` is an element called `name` (no namespace).
bool is(const xmlNode* n, std::string_view name);
// Returns the attribute value, or nullopt when the attribute is absent.
std::optional<std::string> attr(const xmlNode* n, const char* name);
// Returns the element's text content (all descendant text).
std::string text(const xmlNode* n);
// Returns the first child element called `name`, or nullptr.
xmlNode* child(const xmlNode* n, std::string_view name);
// Returns the line libxml2 recorded for the node (0 if unknown).
uint64_t line(const xmlNode* n);

// Returns `n` and its subtree as libvirt writes XML.
std::string serialize(const xmlNode* n);
// Returns the escaped form of `s` for element text.
std::string escape_text(std::string_view s);
// Returns the escaped form of `s` for a single-quoted attribute value.
std::string escape_attr(std::string_view s);

}  // namespace sipl::mgmt::xml
