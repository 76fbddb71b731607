#include "sipl/mgmt/domain_caps.h"

#include <fmt/format.h>

#include <sstream>

#include "mgmt/subprocess.h"
#include "mgmt/xml_node.h"

namespace sipl::mgmt {

namespace {
constexpr int kProbeTimeoutMs = 10000;
constexpr size_t kProbeMaxOutput = 4 * 1024 * 1024;

// True when a "-machine ...,help" line lists property `name` ("  name=<type> - text").
bool lists_property(const std::string& help, const std::string& name) {
  std::istringstream in(help);
  std::string line;
  while (std::getline(in, line)) {
    size_t i = line.find_first_not_of(' ');
    if (i != std::string::npos && line.compare(i, name.size() + 1, name + "=") == 0) return true;
  }
  return false;
}

// True when "-cpu help" lists `model` as a whole word after the architecture column.
bool lists_cpu(const std::string& help, const std::string& model) {
  std::istringstream in(help);
  std::string arch, name, rest;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    if (l >> arch >> name && name == model) return true;
  }
  return false;
}
}  // namespace

Result<QemuCaps> caps_from_outputs(const std::string& path, const std::string& version_out,
                                   const std::string& machine_help, const std::string& cpu_help) {
  if (version_out.find("QEMU emulator version ") == std::string::npos)
    return fail(ErrorCode::kUnsupported,
                fmt::format("'{}' does not answer --version like QEMU", path));
  auto v = parse_qemu_version(version_out);
  if (!v) return fail(ErrorCode::kUnsupported, fmt::format("'{}': unreadable QEMU version", path));
  QemuCaps c;
  c.path = path;
  c.version = *v;
  // First line: "s390-ccw-virtio-7.2-machine options:".
  std::string first = machine_help.substr(0, machine_help.find('\n'));
  auto suffix = first.find("-machine options:");
  if (suffix == std::string::npos)
    return fail(ErrorCode::kUnsupported,
                fmt::format("'{}' has no s390-ccw-virtio machine (is it qemu-system-s390x?)", path));
  c.machine = first.substr(0, suffix);
  c.boot_certs = lists_property(machine_help, "boot-certs");
  c.secure_boot = lists_property(machine_help, "secure-boot");
  c.z16_cpu = lists_cpu(cpu_help, "z16") || lists_cpu(cpu_help, "gen16a");
  return c;
}

Result<QemuCaps> probe_qemu(const std::string& binary) {
  auto ver = run_process({binary, "--version"}, kProbeTimeoutMs, kProbeMaxOutput);
  if (!ver) return tl::unexpected(ver.error());
  auto mach = run_process({binary, "-machine", "s390-ccw-virtio,help"}, kProbeTimeoutMs, kProbeMaxOutput);
  if (!mach) return tl::unexpected(mach.error());
  auto cpu = run_process({binary, "-cpu", "help"}, kProbeTimeoutMs, kProbeMaxOutput);
  if (!cpu) return tl::unexpected(cpu.error());
  return caps_from_outputs(binary, ver->out, mach->out, cpu->out);
}

bool secure_ipl_supported(const QemuCaps& c) { return c.boot_certs && c.secure_boot && c.z16_cpu; }

std::string domain_caps_xml(const QemuCaps& c) {
  std::string o = "<domainCapabilities>\n";
  o += fmt::format("  <path>{}</path>\n", xml::escape_text(c.path));
  o += "  <domain>qemu</domain>\n";
  o += fmt::format("  <machine>{}</machine>\n", xml::escape_text(c.machine));
  o += "  <arch>s390x</arch>\n";
  o += "  <os supported='yes'>\n";
  o += "    <enum name='firmware'/>\n";
  o += fmt::format("    <bootCerts supported='{}'/>\n", c.boot_certs && c.secure_boot ? "yes" : "no");
  o += "  </os>\n";
  o += "  <cpu>\n";
  o += "    <mode name='custom' supported='yes'>\n";
  o += "      <model usable='unknown'>qemu</model>\n";
  if (c.z16_cpu) o += "      <model usable='unknown'>gen16a</model>\n";
  o += "    </mode>\n";
  o += "  </cpu>\n";
  o += "</domainCapabilities>\n";
  return o;
}

}  // namespace sipl::mgmt
