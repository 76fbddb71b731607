// Writes a fresh domain document from the model, in libvirt's final form and element order
// (the order libvirt's formatter uses; <boot-certs> after <nvram> as in the 12.9 series docs).
#include <fmt/format.h>

#include "mgmt/xml_node.h"
#include "sipl/mgmt/domain_xml.h"

namespace sipl::mgmt {

namespace {

using xml::escape_attr;
using xml::escape_text;

void boot_and_address(std::string& o, const std::optional<DeviceBoot>& boot,
                      const std::optional<DeviceAddress>& addr) {
  if (boot) {
    o += fmt::format("      <boot order='{}'", boot->order);
    if (boot->loadparm) o += fmt::format(" loadparm='{}'", escape_attr(*boot->loadparm));
    o += "/>\n";
  }
  if (addr && addr->ccw)
    o += fmt::format("      <address type='ccw' cssid='{:#x}' ssid='{:#x}' devno='0x{:04x}'/>\n",
                     addr->ccw->cssid, addr->ccw->ssid, addr->ccw->devno);
  else if (addr && !addr->type.empty())
    o += fmt::format("      <address type='{}'/>\n", escape_attr(addr->type));
  else if (addr)
    o += "      <address/>\n";
}

const char* tristate(Tristate t) { return t == Tristate::kYes ? "yes" : "no"; }

void write_os(std::string& o, const Os& os) {
  o += "  <os";
  if (os.firmware && *os.firmware != "s390-ccw-bios")
    o += fmt::format(" firmware='{}'", escape_attr(*os.firmware));
  o += ">\n";
  o += fmt::format("    <type arch='{}' machine='{}'>{}</type>\n", escape_attr(os.arch),
                   escape_attr(os.machine), escape_text(os.type));
  if (os.secure_boot != Tristate::kAbsent || os.enrolled_keys != Tristate::kAbsent) {
    o += "    <firmware>\n";
    if (os.enrolled_keys != Tristate::kAbsent)
      o += fmt::format("      <feature enabled='{}' name='enrolled-keys'/>\n",
                       tristate(os.enrolled_keys));
    if (os.secure_boot != Tristate::kAbsent)
      o += fmt::format("      <feature enabled='{}' name='secure-boot'/>\n",
                       tristate(os.secure_boot));
    o += "    </firmware>\n";
  }
  if (os.loader) {
    o += "    <loader";
    if (os.loader_secure) o += fmt::format(" secure='{}'", escape_attr(*os.loader_secure));
    if (os.loader_type) o += fmt::format(" type='{}'", escape_attr(*os.loader_type));
    o += os.loader->empty() ? "/>\n" : fmt::format(">{}</loader>\n", escape_text(*os.loader));
  }
  if (os.nvram) o += fmt::format("    <nvram>{}</nvram>\n", escape_text(*os.nvram));
  if (!os.boot_certs.empty()) {
    o += "    <boot-certs>\n";
    for (const auto& p : os.boot_certs) o += fmt::format("      <path>{}</path>\n", escape_text(p));
    o += "    </boot-certs>\n";
  }
  for (const auto& b : os.boot_devs) o += fmt::format("    <boot dev='{}'/>\n", escape_attr(b));
  o += "  </os>\n";
}

void write_devices(std::string& o, const Domain& d) {
  o += "  <devices>\n";
  if (!d.emulator.empty()) o += fmt::format("    <emulator>{}</emulator>\n", escape_text(d.emulator));
  for (const auto& disk : d.disks) {
    o += fmt::format("    <disk type='{}' device='{}'>\n", escape_attr(disk.type),
                     escape_attr(disk.device));
    if (!disk.driver_name.empty() || !disk.driver_type.empty()) {
      o += "      <driver";
      if (!disk.driver_name.empty()) o += fmt::format(" name='{}'", escape_attr(disk.driver_name));
      if (!disk.driver_type.empty()) o += fmt::format(" type='{}'", escape_attr(disk.driver_type));
      o += "/>\n";
    }
    if (!disk.source.empty())
      o += fmt::format("      <source {}='{}'/>\n", disk.type == "block" ? "dev" : "file",
                       escape_attr(disk.source));
    o += fmt::format("      <target dev='{}' bus='{}'/>\n", escape_attr(disk.target_dev),
                     escape_attr(disk.target_bus));
    boot_and_address(o, disk.boot, disk.address);
    o += "    </disk>\n";
  }
  for (const auto& i : d.interfaces) {
    o += fmt::format("    <interface type='{}'>\n", escape_attr(i.type));
    if (!i.mac.empty()) o += fmt::format("      <mac address='{}'/>\n", escape_attr(i.mac));
    if (!i.model.empty()) o += fmt::format("      <model type='{}'/>\n", escape_attr(i.model));
    boot_and_address(o, i.boot, i.address);
    o += "    </interface>\n";
  }
  for (const auto& h : d.hostdevs) {
    o += fmt::format("    <hostdev mode='{}' type='{}'", escape_attr(h.mode), escape_attr(h.type));
    if (!h.model.empty()) o += fmt::format(" model='{}'", escape_attr(h.model));
    o += ">\n";
    boot_and_address(o, h.boot, h.address);
    o += "    </hostdev>\n";
  }
  for (const auto& c : d.consoles) {
    o += fmt::format("    <console type='{}'>\n", escape_attr(c.type));
    if (!c.target_type.empty())
      o += fmt::format("      <target type='{}' port='0'/>\n", escape_attr(c.target_type));
    o += "    </console>\n";
  }
  if (d.memballoon) {
    o += fmt::format("    <memballoon model='{}'", escape_attr(d.memballoon->model));
    if (d.memballoon->address) {
      o += ">\n";
      boot_and_address(o, std::nullopt, d.memballoon->address);
      o += "    </memballoon>\n";
    } else {
      o += "/>\n";
    }
  }
  o += "  </devices>\n";
}

}  // namespace

std::string write_domain_xml(const Domain& d) {
  std::string o = fmt::format("<domain type='{}'>\n", escape_attr(d.type));
  o += fmt::format("  <name>{}</name>\n", escape_text(d.name));
  if (!d.uuid.empty()) o += fmt::format("  <uuid>{}</uuid>\n", escape_text(d.uuid));
  o += fmt::format("  <memory unit='KiB'>{}</memory>\n", d.memory_kib);
  o += fmt::format("  <currentMemory unit='KiB'>{}</currentMemory>\n", d.memory_kib);
  o += fmt::format("  <vcpu placement='static'>{}</vcpu>\n", d.vcpus);
  write_os(o, d.os);
  if (d.cpu) {
    std::string features;
    for (const auto& f : d.cpu->features)
      features += fmt::format("    <feature policy='{}' name='{}'/>\n", escape_attr(f.policy), escape_attr(f.name));
    if (d.cpu->mode == "custom" && !d.cpu->model.empty())
      o += fmt::format("  <cpu mode='custom' match='exact' check='none'>\n"
                       "    <model fallback='forbid'>{}</model>\n{}  </cpu>\n",
                       escape_text(d.cpu->model), features);
    else if (!d.cpu->model.empty())
      o += fmt::format("  <cpu mode='{}'>\n    <model>{}</model>\n{}  </cpu>\n",
                       escape_attr(d.cpu->mode), escape_text(d.cpu->model), features);
    else if (!features.empty())
      o += fmt::format("  <cpu mode='{}'>\n{}  </cpu>\n", escape_attr(d.cpu->mode), features);
    else
      o += fmt::format("  <cpu mode='{}'/>\n", escape_attr(d.cpu->mode));
  }
  write_devices(o, d);
  if (d.launch_security)
    o += fmt::format("  <launchSecurity type='{}'/>\n", escape_attr(*d.launch_security));
  o += "</domain>\n";
  return o;
}

}  // namespace sipl::mgmt
