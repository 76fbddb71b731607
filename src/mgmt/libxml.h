// libxml2, loaded with dlopen the first time src/mgmt parses or writes XML instead of linked:
// linked, libxml2 and the ICU libraries it pulls cost every sipl process ~5 ms of CPU at
// start-up (loading and relocation), a cost `sipl boot` of a 64 MiB kernel pays for nothing
// (docs/PERFORMANCE.md, issue 15). Include this header instead of <libxml/...>: it includes
// the libxml2 headers src/mgmt uses and then names each libxml2 function sipl calls by a
// macro that calls through the table libxml2() fills with dlsym, so the code keeps libxml2's
// own names and prototypes. Internal to src/mgmt; never included by public headers.
#pragma once

#include <libxml/SAX2.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

// Every libxml2 function src/mgmt calls; a call to one not listed here fails to link.
#define SIPL_LIBXML2_FUNCTIONS(X) \
  X(xmlAddChild) \
  X(xmlAddPrevSibling) \
  X(xmlCopyDoc) \
  X(xmlCtxtGetLastError) \
  X(xmlCtxtReadMemory) \
  X(xmlDocGetRootElement) \
  X(xmlFreeDoc) \
  X(xmlFreeNode) \
  X(xmlFreeParserCtxt) \
  X(xmlGetLineNo) \
  X(xmlGetNoNsProp) \
  X(xmlNewDocNode) \
  X(xmlNewNs) \
  X(xmlNewParserCtxt) \
  X(xmlNewProp) \
  X(xmlNewText) \
  X(xmlNewTextChild) \
  X(xmlNodeGetContent) \
  X(xmlNodeListGetString) \
  X(xmlRelaxNGFree) \
  X(xmlRelaxNGFreeParserCtxt) \
  X(xmlRelaxNGFreeValidCtxt) \
  X(xmlRelaxNGNewParserCtxt) \
  X(xmlRelaxNGNewValidCtxt) \
  X(xmlRelaxNGParse) \
  X(xmlRelaxNGSetParserStructuredErrors) \
  X(xmlRelaxNGSetValidStructuredErrors) \
  X(xmlRelaxNGValidateDoc) \
  X(xmlReplaceNode) \
  X(xmlSAX2GetLineNumber) \
  X(xmlSearchNsByHref) \
  X(xmlSetProp) \
  X(xmlStopParser) \
  X(xmlUnlinkNode) \
  X(xmlUnsetProp)

namespace sipl::mgmt {

struct LibXml2 {
#define SIPL_LIBXML2_FIELD(name) decltype(&::name) name##_ = nullptr;
  SIPL_LIBXML2_FUNCTIONS(SIPL_LIBXML2_FIELD)
#undef SIPL_LIBXML2_FIELD
  // libxml2's global variables xmlFree and xmlParserVersion: per-thread accessor functions
  // when libxml2 was built with threads (as Debian's is), plain variables otherwise.
#ifdef LIBXML_THREAD_ALLOC_ENABLED
  xmlFreeFunc* (*xml_free_)() = nullptr;
#else
  xmlFreeFunc* xml_free_ = nullptr;
#endif
#ifdef LIBXML_THREAD_ENABLED
  const char** (*parser_version_)() = nullptr;
#else
  const char** parser_version_ = nullptr;
#endif
};

// Loads libxml2.so.2 on first use (thread-safe). libxml2 is a dependency of every sipl
// package, so failing to load it ends the process with exit code 4 and a message naming it.
const LibXml2& libxml2();

}  // namespace sipl::mgmt

#ifndef SIPL_LIBXML2_NO_MACROS
#define xmlAddChild (::sipl::mgmt::libxml2().xmlAddChild_)
#define xmlAddPrevSibling (::sipl::mgmt::libxml2().xmlAddPrevSibling_)
#define xmlCopyDoc (::sipl::mgmt::libxml2().xmlCopyDoc_)
#define xmlCtxtGetLastError (::sipl::mgmt::libxml2().xmlCtxtGetLastError_)
#define xmlCtxtReadMemory (::sipl::mgmt::libxml2().xmlCtxtReadMemory_)
#define xmlDocGetRootElement (::sipl::mgmt::libxml2().xmlDocGetRootElement_)
#define xmlFreeDoc (::sipl::mgmt::libxml2().xmlFreeDoc_)
#define xmlFreeNode (::sipl::mgmt::libxml2().xmlFreeNode_)
#define xmlFreeParserCtxt (::sipl::mgmt::libxml2().xmlFreeParserCtxt_)
#define xmlGetLineNo (::sipl::mgmt::libxml2().xmlGetLineNo_)
#define xmlGetNoNsProp (::sipl::mgmt::libxml2().xmlGetNoNsProp_)
#define xmlNewDocNode (::sipl::mgmt::libxml2().xmlNewDocNode_)
#define xmlNewNs (::sipl::mgmt::libxml2().xmlNewNs_)
#define xmlNewParserCtxt (::sipl::mgmt::libxml2().xmlNewParserCtxt_)
#define xmlNewProp (::sipl::mgmt::libxml2().xmlNewProp_)
#define xmlNewText (::sipl::mgmt::libxml2().xmlNewText_)
#define xmlNewTextChild (::sipl::mgmt::libxml2().xmlNewTextChild_)
#define xmlNodeGetContent (::sipl::mgmt::libxml2().xmlNodeGetContent_)
#define xmlNodeListGetString (::sipl::mgmt::libxml2().xmlNodeListGetString_)
#define xmlRelaxNGFree (::sipl::mgmt::libxml2().xmlRelaxNGFree_)
#define xmlRelaxNGFreeParserCtxt (::sipl::mgmt::libxml2().xmlRelaxNGFreeParserCtxt_)
#define xmlRelaxNGFreeValidCtxt (::sipl::mgmt::libxml2().xmlRelaxNGFreeValidCtxt_)
#define xmlRelaxNGNewParserCtxt (::sipl::mgmt::libxml2().xmlRelaxNGNewParserCtxt_)
#define xmlRelaxNGNewValidCtxt (::sipl::mgmt::libxml2().xmlRelaxNGNewValidCtxt_)
#define xmlRelaxNGParse (::sipl::mgmt::libxml2().xmlRelaxNGParse_)
#define xmlRelaxNGSetParserStructuredErrors (::sipl::mgmt::libxml2().xmlRelaxNGSetParserStructuredErrors_)
#define xmlRelaxNGSetValidStructuredErrors (::sipl::mgmt::libxml2().xmlRelaxNGSetValidStructuredErrors_)
#define xmlRelaxNGValidateDoc (::sipl::mgmt::libxml2().xmlRelaxNGValidateDoc_)
#define xmlReplaceNode (::sipl::mgmt::libxml2().xmlReplaceNode_)
#define xmlSAX2GetLineNumber (::sipl::mgmt::libxml2().xmlSAX2GetLineNumber_)
#define xmlSearchNsByHref (::sipl::mgmt::libxml2().xmlSearchNsByHref_)
#define xmlSetProp (::sipl::mgmt::libxml2().xmlSetProp_)
#define xmlStopParser (::sipl::mgmt::libxml2().xmlStopParser_)
#define xmlUnlinkNode (::sipl::mgmt::libxml2().xmlUnlinkNode_)
#define xmlUnsetProp (::sipl::mgmt::libxml2().xmlUnsetProp_)
#undef xmlFree
#undef xmlParserVersion
#ifdef LIBXML_THREAD_ALLOC_ENABLED
#define xmlFree (*(::sipl::mgmt::libxml2().xml_free_()))
#else
#define xmlFree (*(::sipl::mgmt::libxml2().xml_free_))
#endif
#ifdef LIBXML_THREAD_ENABLED
#define xmlParserVersion (*(::sipl::mgmt::libxml2().parser_version_()))
#else
#define xmlParserVersion (*(::sipl::mgmt::libxml2().parser_version_))
#endif
#endif
