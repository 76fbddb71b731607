// DomainXml: a libvirt domain XML document read with libxml2 (the library libvirt uses),
// hardened against hostile input: no network, no DTD loading, no DOCTYPE at all (so no
// entity can be declared or expanded), a size limit before parsing, libxml2's own depth
// limit plus ours, and every error names the file and line. The document stays loaded so
// that unknown elements are written back untouched.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/mgmt/domain.h"

namespace sipl::mgmt {

// Bounds applied to every document before and after parsing.
struct XmlLimits {
  size_t max_bytes = 10 * 1024 * 1024;  // whole document
  unsigned max_depth = 64;              // element nesting (libvirt XML needs < 10)
  size_t max_elements = 100000;         // all elements together
  size_t max_boot_cert_paths = 256;     // <path> / <boot-certs path=> entries
};

class DomainXml {
 public:
  // Returns the parsed document, or kLimit/kBadInput naming `source_name` and the line.
  static Result<DomainXml> parse(std::string_view text, const std::string& source_name,
                                 const XmlLimits& limits = {});
  // Returns the parsed file (refused before reading when it exceeds limits.max_bytes); "-"
  // reads standard input (refused once more than limits.max_bytes arrive), named "standard
  // input" in messages (`virsh dumpxml guest | sipl domain validate -`).
  static Result<DomainXml> load(const std::string& path, const XmlLimits& limits = {});

  DomainXml(DomainXml&&) noexcept;
  DomainXml& operator=(DomainXml&&) noexcept;
  ~DomainXml();

  // Returns the model read from the document.
  const Domain& domain() const;
  // Returns what libvirt would reject while parsing (bad attribute values, unknown
  // firmware): findings with libvirt's message texts.
  const Findings& parse_findings() const;
  // Returns the name given to parse()/load() for messages.
  const std::string& source_name() const;
  // Returns the document in libvirt's final form: the seed's repeated <boot-certs path=>
  // become one <boot-certs> with <path> children, firmware='s390-ccw-bios' is dropped;
  // everything else (unknown elements, comments, whitespace) is written back untouched.
  std::string normalized() const;
  // Returns the document as read, serialized the way libvirt writes XML.
  std::string serialized() const;
  // Returns the libxml2 document (an xmlDoc*) for src/mgmt's schema validation; opaque here.
  const void* native_document() const;

 private:
  struct Impl;
  explicit DomainXml(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Returns a fresh document for `d` in libvirt's final form and element order.
std::string write_domain_xml(const Domain& d);

}  // namespace sipl::mgmt
