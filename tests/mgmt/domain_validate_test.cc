// `sipl domain validate`: every invalid case gives its message (libvirt's or QEMU's text where
// they have one, spec libvirt's src/conf/domain_validate.c and the boot-certs series for 12.9.0 on
// devel@lists.libvirt.org and QEMU hw/s390x/ipl.c, pc-bios/s390-ccw/bootmap.c) and exit 1.
#include <gtest/gtest.h>

#include <string>

#include "support/run.h"

namespace sipl {
namespace {

const std::string kDisk =
    "    <disk type='file' device='disk'>\n"
    "      <driver name='qemu' type='qcow2'/>\n"
    "      <source file='/var/lib/libvirt/images/g.qcow2'/>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "    </disk>\n";
const std::string kCerts = "    <boot-certs>\n      <path>/etc/pki/s390</path>\n    </boot-certs>\n";
const std::string kSecure =
    "    <firmware>\n      <feature enabled='yes' name='secure-boot'/>\n    </firmware>\n";

struct Case {
  const char* name;
  std::string os_attrs;   // inside <os ...>
  std::string os;         // children of <os> after <type>
  std::string devices;    // children of <devices>
  std::string extra;      // after </devices>
  std::string arch_machine;  // empty: arch='s390x' machine='s390-ccw-virtio'
  std::vector<std::string> options;
  int exit_code;
  std::string findings;   // expected lines before the verdict, "LINE: severity: message"
  std::string verdict;
};

std::string xml(const Case& c) {
  return "<domain type='qemu'>\n"                                   // 1
         "  <name>g</name>\n"                                       // 2
         "  <memory unit='MiB'>512</memory>\n"                      // 3
         "  <os" + c.os_attrs + ">\n"                               // 4
         "    <type " +
         (c.arch_machine.empty() ? "arch='s390x' machine='s390-ccw-virtio'" : c.arch_machine) +
         ">hvm</type>\n" +  // 5
         c.os + "  </os>\n  <devices>\n" + c.devices + "  </devices>\n" + c.extra + "</domain>\n";
}

class Validate : public ::testing::TestWithParam<Case> {};

TEST_P(Validate, GivesMessageAndExitCode) {
  const Case& c = GetParam();
  test::TempDir dir;
  std::string path = dir / "d.xml";
  test::write_text(path, xml(c));
  std::vector<std::string> args{"domain", "validate"};
  args.insert(args.end(), c.options.begin(), c.options.end());
  args.push_back(path);
  auto r = test::run_sipl(args);
  std::string expected;
  size_t start = 0;
  while (start < c.findings.size()) {
    size_t end = c.findings.find('\n', start);
    expected += path + (c.findings[start] == ':' ? "" : ":") +
                c.findings.substr(start, end - start + 1);
    start = end + 1;
  }
  expected += path + ": " + c.verdict + "\n";
  EXPECT_EQ(r.out, expected) << xml(c);
  EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
}

const Case kCases[] = {
    {"SecureMode", "", kSecure + kCerts, kDisk, "", {}, {}, 0, "", "valid (secure mode)"},
    {"AuditMode", "", kCerts, kDisk, "", {}, {}, 0, "", "valid (audit mode)"},
    {"NormalModeOnOldQemu", "", "    <boot dev='hd'/>\n", kDisk, "", {}, {"--qemu-version", "7.2.0"}, 0,
     "", "valid (normal mode)"},
    {"SecureBootWithoutCerts", "", kSecure, kDisk, "", {}, {}, 1,
     "4: error: unsupported configuration: secure-boot is enabled but <boot-certs> names no "
     "certificate (the s390-ccw BIOS would stop: 'Need at least one certificate for secure "
     "boot!')\n",
     "invalid (invalid mode)"},
    {"EnrolledKeysOnS390x", "",
     "    <firmware>\n      <feature enabled='yes' name='enrolled-keys'/>\n"
     "      <feature enabled='yes' name='secure-boot'/>\n    </firmware>\n" + kCerts,
     kDisk, "", {}, {}, 1,
     "4: error: unsupported configuration: firmware feature 'enrolled-keys' is not supported on "
     "s390x (secure IPL trusts the certificates in <boot-certs>)\n",
     "invalid (secure mode)"},
    {"BootCertsOnX86", "", kCerts, kDisk, "", "arch='x86_64' machine='q35'", {}, 1,
     "6: error: unsupported configuration: boot certificates (<boot-certs>) are only supported "
     "for s390x guests, not 'x86_64'\n",
     "invalid (audit mode)"},
    {"SecureBootFeatureOnX86WithoutFirmware", "", kSecure, kDisk, "", "arch='x86_64' machine='q35'",
     {}, 1,
     "4: error: cannot use feature-based firmware autoselection when firmware autoselection is "
     "disabled\n",
     "invalid (invalid mode)"},
    {"BootCertsOnOtherMachine", "", kCerts, kDisk, "", "arch='s390x' machine='none'", {}, 1,
     "4: error: unsupported configuration: boot certificates and secure-boot need an "
     "s390-ccw-virtio machine type, not 'none'\n",
     "invalid (audit mode)"},
    {"RelativePath", "", "    <boot-certs>\n      <path>certs/a.pem</path>\n    </boot-certs>\n",
     kDisk, "", {}, {}, 1,
     "7: error: unsupported configuration: boot certificate path 'certs/a.pem' must be absolute\n",
     "invalid (audit mode)"},
    {"EmptyPath", "", "    <boot-certs>\n      <path></path>\n    </boot-certs>\n", kDisk, "", {},
     {}, 1, "7: error: Empty path in certificate path list is not allowed\n",
     "invalid (audit mode)"},
    {"EmptyBootCerts", "", "    <boot-certs/>\n", kDisk, "", {}, {}, 1,
     "6: error: unsupported configuration: <boot-certs> must contain at least one <path>\n",
     "invalid (normal mode)"},
    {"LoaderWithCerts", "", kCerts + "    <loader>/usr/share/s390-ccw.img</loader>\n", kDisk, "",
     {}, {}, 1,
     "4: error: unsupported configuration: <loader> replaces the s390-ccw BIOS that performs the "
     "secure IPL checks; remove it to use boot certificates or secure-boot\n",
     "invalid (audit mode)"},
    {"SecureLoader", "", "    <loader secure='yes'/>\n", kDisk, "", {}, {}, 1,
     "4: error: unsupported configuration: Secure boot is supported with q35 machine types only\n",
     "invalid (normal mode)"},
    {"Nvram", "", "    <nvram>/var/lib/libvirt/qemu/nvram/g_VARS.fd</nvram>\n", kDisk, "", {}, {},
     1,
     "4: error: unsupported configuration: <nvram> is not supported on s390x: the s390-ccw BIOS "
     "keeps no variable store\n",
     "invalid (normal mode)"},
    {"EfiOnS390x", " firmware='efi'", "", kDisk, "", {}, {}, 1,
     "4: error: operation failed: Unable to find 'efi' firmware that is compatible with the "
     "current configuration\n",
     "invalid (normal mode)"},
    {"UnknownFirmware", " firmware='uboot'", "", kDisk, "", {}, {}, 1,
     "4: error: XML error: unknown firmware value uboot\n", "invalid (normal mode)"},
    {"QemuTooOld", "", kSecure + kCerts, kDisk, "", {}, {"--qemu-version", "11.1.0"}, 4,
     ": error: unsupported configuration: boot certificates and secure-boot need QEMU 11.2.0 or "
     "newer; this QEMU is 11.1.0\n",
     "not supported by this QEMU (secure mode)"},
    {"NetworkBoot", "", kCerts,
     kDisk + "    <interface type='user'>\n      <model type='virtio'/>\n"
             "      <boot order='1'/>\n    </interface>\n",
     "", {}, {}, 1, "16: error: Virtio net boot device does not support secure boot!\n",
     "invalid (audit mode)"},
    {"OsBootNetwork", "", kCerts + "    <boot dev='network'/>\n",
     kDisk + "    <interface type='user'>\n      <model type='virtio'/>\n    </interface>\n", "", {},
     {}, 1, "17: error: Virtio net boot device does not support secure boot!\n",
     "invalid (audit mode)"},
    {"CdromBoot", "", kCerts + "    <boot dev='cdrom'/>\n",
     "    <disk type='file' device='cdrom'>\n      <source file='/x.iso'/>\n"
     "      <target dev='sda' bus='scsi'/>\n    </disk>\n",
     "", {}, {}, 1, "12: error: Secure boot from ISO image is not supported!\n",
     "invalid (audit mode)"},
    {"VfioBoot", "", kCerts,
     "    <hostdev mode='subsystem' type='mdev' model='vfio-ccw'>\n"
     "      <boot order='1'/>\n    </hostdev>\n",
     "", {}, {}, 1, "11: error: Passthrough (vfio) CCW device does not support secure boot!\n",
     "invalid (audit mode)"},
    {"PciDiskBoot", "", kCerts,
     "    <disk type='file' device='disk'>\n      <source file='/d.img'/>\n"
     "      <target dev='vda' bus='virtio'/>\n      <boot order='1'/>\n"
     "      <address type='pci'/>\n    </disk>\n",
     "", {}, {}, 1, "11: error: Virtio pci boot device does not support secure boot!\n",
     "invalid (audit mode)"},
    {"NoBootDevice", "", kSecure + kCerts, "", "", {}, {}, 1,
     "4: error: No boot device defined for Secure IPL\n", "invalid (secure mode)"},
    {"DuplicateBootOrder", "", "",
     "    <disk type='file' device='disk'>\n      <source file='/a'/>\n"
     "      <target dev='vda' bus='virtio'/>\n      <boot order='1'/>\n    </disk>\n"
     "    <disk type='file' device='disk'>\n      <source file='/b'/>\n"
     "      <target dev='vdb' bus='virtio'/>\n      <boot order='1'/>\n    </disk>\n",
     "", {}, {}, 1,
     "13: error: unsupported configuration: boot order '1' used for more than one device\n",
     "invalid (normal mode)"},
    {"PerDeviceAndOsBoot", "", "    <boot dev='hd'/>\n",
     "    <disk type='file' device='disk'>\n      <source file='/a'/>\n"
     "      <target dev='vda' bus='virtio'/>\n      <boot order='1'/>\n    </disk>\n",
     "", {}, {}, 1,
     "4: error: unsupported configuration: per-device boot elements cannot be used together "
     "with os/boot elements\n",
     "invalid (normal mode)"},
    {"InvalidFeatureName", "", "    <firmware>\n      <feature enabled='yes' name='fast-boot'/>\n"
                               "    </firmware>\n",
     kDisk, "", {}, {}, 1,
     "7: error: XML error: Invalid value for attribute 'name' in element 'feature': "
     "'fast-boot'.\n",
     "invalid (normal mode)"},
    {"MissingEnabled", "", "    <firmware>\n      <feature name='secure-boot'/>\n    </firmware>\n",
     kDisk, "", {}, {}, 1,
     "7: error: XML error: Missing required attribute 'enabled' in element 'feature'\n",
     "invalid (normal mode)"},
    {"LoadparmTooLong", "", "",
     "    <disk type='file' device='disk'>\n      <source file='/a'/>\n"
     "      <target dev='vda' bus='virtio'/>\n      <boot order='1' loadparm='abcdefghi'/>\n"
     "    </disk>\n",
     "", {}, {}, 1,
     "11: error: internal error: loadparm value 'ABCDEFGHI' must be between 1 and 8 "
     "characters\n",
     "invalid (normal mode)"},
    {"LoadparmBadChars", "", "",
     "    <disk type='file' device='disk'>\n      <source file='/a'/>\n"
     "      <target dev='vda' bus='virtio'/>\n      <boot order='1' loadparm='a_b'/>\n"
     "    </disk>\n",
     "", {}, {}, 1,
     "11: error: internal error: invalid loadparm value 'A_B', expecting chars in set of "
     "[a-zA-Z0-9.] and blank spaces\n",
     "invalid (normal mode)"},
    {"ProtectedVirtualization", "", kCerts, kDisk, "  <launchSecurity type='s390-pv'/>\n", {}, {},
     1,
     ": error: unsupported configuration: the Secure IPL facilities (sipl, sclaf, cstore) are "
     "hidden from protected-virtualization (s390-pv) guests\n",
     "invalid (audit mode)"},
    {"OldCpuModelWarns", "", kCerts, kDisk, "  <cpu mode='custom'>\n    <model>gen15a</model>\n  </cpu>\n",
     {}, {}, 0,
     ": warning: CPU 'gen15a' lacks the Secure IPL facilities (sipl, sclaf, cstore): the BIOS stops with "
     "'Unable to boot in secure/audit mode'; use gen16a, gen16b or newer, qemu, max or host-model, without "
     "disabling them\n",
     "valid (audit mode)"},
    {"DisabledCpuFeatureWarns", "", kCerts, kDisk,
     "  <cpu mode='custom'>\n    <model>gen16a</model>\n    <feature policy='disable' name='sclaf'/>\n"
     "  </cpu>\n",
     {}, {}, 0,
     ": warning: CPU 'gen16a,sclaf=off' lacks the Secure IPL facilities (sclaf): the BIOS stops with "
     "'Unable to boot in secure/audit mode'; use gen16a, gen16b or newer, qemu, max or host-model, without "
     "disabling them\n",
     "valid (audit mode)"},
    {"UnknownCpuModelIsRefused", "", kCerts, kDisk, "  <cpu mode='custom'>\n    <model>z16</model>\n  </cpu>\n",
     {}, {}, 1,
     ": error: unsupported configuration: QEMU refuses -cpu z16: unable to find CPU model 'z16' (QEMU's z16 "
     "models are gen16a and gen16b)\n",
     "invalid (audit mode)"},
};

INSTANTIATE_TEST_SUITE_P(Domain, Validate, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sipl
