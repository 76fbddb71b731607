// DomainXml: a libvirt domain XML document read with libxml2 (the library libvirt uses),
// hardened against hostile input: no network, no DTD loading, no DOCTYPE at all (so no
// entity can be declared or expanded), a size limit before parsing, libxml2's own depth
// limit plus ours, and every error names the file and line. The document stays loaded so
// that unknown elements are written back untouched.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
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

// A libvirt release, major.minor.
struct LibvirtVersion {
  unsigned major = 0;
  unsigned minor = 0;
  auto operator<=>(const LibvirtVersion&) const = default;
  // Returns "12.9".
  std::string to_string() const;
};

// The first libvirt that knows <boot-certs> (the series aimed at 12.9).
inline constexpr LibvirtVersion kLibvirtBootCerts{12, 9};

// Returns the version in "9.0", "9.0.0" or "12.9"; kUsage quoting the text otherwise.
Result<LibvirtVersion> parse_libvirt_version(std::string_view text);

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
  // For a `libvirt` older than kLibvirtBootCerts the boot certificates and secure-boot go
  // into one <qemu:commandline> -machine option instead (that libvirt drops <boot-certs>);
  // for a newer one (or none given) such options come back as <boot-certs> and the feature.
  std::string normalized(std::optional<LibvirtVersion> libvirt = std::nullopt) const;
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
