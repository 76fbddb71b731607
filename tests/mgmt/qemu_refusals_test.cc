// QEMU command lines QEMU refuses before the guest runs, refused by parse_qemu_argv /
// machine_options with QEMU's own message and kUnsupported (exit 4). Where Debian's QEMU 7.2
// shares the code path (keyval parsing of -machine, the machine's property lookup, the CPU
// model lookup, cpu_common_parse_features), the real binary is the oracle: its first stderr
// line, without "qemu-system-s390x: ", is the expected text. The versioned machine type
// s390-ccw-virtio-7.2 keeps QEMU's class name the same for both.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "sipl/hv/machine.h"
#include "sipl/mgmt/domain_xml.h"
#include "sipl/mgmt/qemu_argv.h"
#include "sipl/mgmt/qemu_argv_machine.h"
#include "support/run.h"

namespace sipl::mgmt {
namespace {

const char* kQemu = "/usr/bin/qemu-system-s390x";

// The error sipl gives for `args` (after the emulator), or "" when it accepts them.
std::string sipl_refusal(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"qemu-system-s390x"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto m = parse_qemu_argv(argv);
  if (!m) {
    EXPECT_EQ(m.error().code, ErrorCode::kUnsupported) << m.error().message;
    return m.error().message;
  }
  Findings notes;
  auto o = machine_options(*m, &notes);
  if (!o) return o.error().message;
  auto machine = hv::Machine::create(*o, nullptr);
  return machine ? "" : machine.error().message;
}

// The first line QEMU prints on stderr for `args`, without its program-name prefix.
std::string qemu_refusal(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"timeout", "20", kQemu, "-nodefaults", "-display", "none", "-S", "-monitor", "none"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = test::run(argv);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string line = r.err.substr(0, r.err.find('\n'));
  const std::string prefix = "qemu-system-s390x: ";
  return line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : line;
}

TEST(QemuRefusals, SiplSaysWhatRealQemuSays) {
  if (access(kQemu, X_OK) != 0) GTEST_SKIP() << "qemu-system-s390x not installed (scripts/deps.sh)";
  const std::vector<std::vector<std::string>> cases = {
      {"-machine", "s390-ccw-virtio-7.2,bogus=1"},
      {"-machine", R"({"type":"s390-ccw-virtio-7.2","secure-boot":true})"},
      {"-machine", R"({"type":"s390-ccw-virtio-7.2","boot-certs":[{"path":"/etc/pki/s390"}]})"},
      {"-machine", "s390-ccw-virtio-7.2,usb"},
      {"-machine", "s390-ccw-virtio-7.2,usb=maybe"},
      {"-machine", "s390-ccw-virtio-7.2", "-machine", "mem-merge=sometimes"},
      {"-machine", "s390-ccw-virtio-2.3"},
      {"-machine", "s390-ccw-virtio-7.2", "-cpu", "z16"},
      {"-machine", "s390-ccw-virtio-7.2", "-cpu", "host"},
      {"-machine", "s390-ccw-virtio-7.2", "-cpu", "max,vx"},
      {"-machine", "s390-ccw-virtio-7.2", "-cpu", "gen16a", "-cpu", "nosuch,vx=on"},
  };
  for (const auto& c : cases) {
    std::string shown;
    for (const auto& a : c) shown += a + " ";
    EXPECT_EQ(sipl_refusal(c), qemu_refusal(c)) << shown;
  }
}

TEST(QemuRefusals, TheSecureIplOptionsOfQemu112) {
  // Not in QEMU 7.2: the texts are QEMU 11.2's (qapi_bool_parse, the machine's class name).
  EXPECT_EQ(sipl_refusal({"-machine", "s390-ccw-virtio,secure-boot=maybe"}),
            "Parameter 'secure-boot' expects 'on' or 'off'");
  EXPECT_EQ(sipl_refusal({"-machine", "s390-ccw-virtio,boot-certs.0.path=/x,bogus=1"}),
            "Property 's390-ccw-virtio-11.2-machine.bogus' not found");
  EXPECT_EQ(sipl_refusal({"-machine", "s390-ccw-virtio,loadparm=system123"}),
            "'loadparm' can only contain up to 8 characters");
  EXPECT_EQ(sipl_refusal({"-machine", "s390-ccw-virtio", "-cpu", "max,sipl=of"}),
            "can't apply global max-s390x-cpu.sipl=of: Parameter 'sipl' expects 'on' or 'off'");
  EXPECT_EQ(sipl_refusal({"-machine", "s390-ccw-virtio", "-cpu", "max,sipl=off"}), "");
  EXPECT_EQ(sipl_refusal({"-machine", "s390-ccw-virtio", "-cpu", "host", "-enable-kvm"}), "");
}

TEST(QemuArgv, TheLastCpuOptionWinsAndKeepsItsFeatures) {
  auto m = parse_qemu_argv({"qemu-system-s390x", "-machine", "s390-ccw-virtio", "-cpu", "gen16a,sipl=off",
                            "-cpu", "max,cstore=off"});
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->cpu_model, "max");
  EXPECT_EQ(m->cpu_option, "max,cstore=off");
  Findings notes;
  auto o = machine_options(*m, &notes);
  ASSERT_TRUE(o);
  auto machine = hv::Machine::create(*o, nullptr);
  ASSERT_TRUE(machine);
  EXPECT_TRUE(machine->facilities().sipl);
  EXPECT_FALSE(machine->facilities().cstore);
  // -machine options merge: the type from the first, the certificates from the second.
  m = parse_qemu_argv({"qemu-system-s390x", "-machine", "s390-ccw-virtio", "-machine",
                       "boot-certs.0.path=/a,,b.pem,secure-boot=on"});
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->boot_certs, std::vector<std::string>{"/a,b.pem"});
  EXPECT_EQ(m->secure_boot, std::optional<bool>(true));
}

TEST(QemuArgv, DirectKernelBootIsRefusedWithAReason) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"qemu-system-s390x", "-kernel", "/boot/vmlinuz", "-initrd", "/boot/initrd.img"},
           {"qemu-system-s390x", "-initrd", "/boot/initrd.img"},
           {"qemu-system-s390x", "-machine", "s390-ccw-virtio,kernel=/boot/vmlinuz"}}) {
    auto m = parse_qemu_argv(args);
    ASSERT_TRUE(m) << m.error().message;
    Findings notes;
    auto o = machine_options(*m, &notes);
    ASSERT_FALSE(o);
    EXPECT_EQ(o.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(o.error().message.find("a direct kernel boot: QEMU loads the kernel itself"), std::string::npos)
        << o.error().message;
    EXPECT_EQ(o.error().message.substr(0, 1), args[1].substr(0, 1));  // names the option it saw
  }
}

TEST(QemuArgv, DomainCpuFeaturesBecomeCpuPropertiesAndTheBiosRefusal) {
  // libvirt's qemuBuildCpuModelArgStr: require/force -> NAME=on, disable/forbid -> NAME=off.
  auto x = DomainXml::parse(
      "<domain type='qemu'><name>g</name><memory unit='MiB'>512</memory>"
      "<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type>"
      "<boot-certs><path>/etc/pki/s390</path></boot-certs></os>"
      "<cpu mode='custom'><model>gen16a</model><feature policy='disable' name='sipl'/>"
      "<feature policy='require' name='cstore'/><feature policy='optional' name='vx'/></cpu>"
      "<devices><disk type='file' device='disk'><source file='/d.img'/><target dev='vda' bus='virtio'/>"
      "<boot order='1'/></disk></devices></domain>",
      "g.xml");
  ASSERT_TRUE(x) << x.error().to_string();
  ASSERT_EQ(x->domain().cpu->features.size(), 3u);
  auto cl = build_qemu_command_line(x->domain(), {});
  ASSERT_TRUE(cl) << cl.error().to_string();
  auto cpu = std::find(cl->args.begin(), cl->args.end(), "-cpu");
  ASSERT_NE(cpu, cl->args.end());
  EXPECT_EQ(*(cpu + 1), "gen16a,sipl=off,cstore=on");
  // The XML written back keeps the features.
  EXPECT_NE(write_domain_xml(x->domain()).find("    <feature policy='disable' name='sipl'/>\n"), std::string::npos);
}

}  // namespace
}  // namespace sipl::mgmt
