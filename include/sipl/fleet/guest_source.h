// Where `sipl audit` finds guests: libvirt connections (every s390x domain, active and
// inactive, by its XML, through libvirt's C API, so remote URIs work through libvirt's own
// protocol), domain XML files and directories, and the command lines of running
// qemu-system-s390x processes (/proc/PID/cmdline: what the guest's next reboot does).
#pragma once

#include <string>
#include <vector>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"

namespace sipl::fleet {

enum class SourceKind { kLibvirt, kXml, kProcess };

// Returns "libvirt", "xml" or "process".
const char* to_string(SourceKind k);

// One guest as a source describes it, before anything is predicted.
struct GuestDefinition {
  std::string name;
  SourceKind kind = SourceKind::kXml;
  std::string source;  // the URI, the XML file, or "/proc/PID"
  std::string uuid;    // when the source names one
  bool active = false;  // libvirt: running; processes: always
  // Set for a remote libvirt URI: the paths the domain names live on that host.
  bool remote = false;
  std::string domain_xml;              // libvirt and XML sources
  // The XML the domain was defined from, when known (the test driver's node file, or an XML
  // file of the same domain given to the same audit): what libvirt dropped can be named.
  std::string defined_xml;
  std::vector<std::string> qemu_argv;  // processes: argv[0] is the binary
  Findings findings;                   // what the collection noticed about this guest
};

// What a source yielded: its guests, and what it has to say about itself (domains skipped
// because they are not s390x, a connection that failed).
struct Collection {
  std::vector<GuestDefinition> guests;
  Findings findings;
  bool failed = false;  // the source could not be read at all (error findings say why)
};

// Returns the s390x domains of the XML files `paths` names: files, or directories whose
// *.xml files are read in name order. Unreadable or malformed files are error findings.
Collection collect_xml(const std::vector<std::string>& paths);

// Returns the running qemu-system-s390x processes under `proc_root` (normally "/proc"): a
// process whose argv[0] or /proc/PID/exe has that basename.
Collection collect_processes(const std::string& proc_root = "/proc");

// True when sipl was built with libvirt (libvirt-dev) and libvirt.so.0 can be loaded (it is
// loaded on first use, not linked); collect_libvirt fails otherwise.
bool have_libvirt();

// Returns every s390x domain (active and inactive) of the libvirt connection `uri`, opened
// read-only. kUnsupported when sipl was built without libvirt or libvirt.so.0 cannot be loaded.
Result<Collection> collect_libvirt(const std::string& uri);

// True when `uri` names another host (qemu+ssh://host/system, qemu+tls://host/...): paths in
// its domains are not this host's files.
bool is_remote_uri(const std::string& uri);

}  // namespace sipl::fleet
