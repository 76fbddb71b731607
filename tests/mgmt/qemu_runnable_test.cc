// `sipl domain to-qemu --runnable`: a command line that QEMU starts and boots as is. Debian's
// qemu-system-s390x (7.2, no secure IPL, so a Normal-mode domain) runs the printed text through
// /bin/sh and its s390-ccw BIOS prints its first console lines on the terminal; libvirt's form
// (-S, monitor on fd 1729, master-key secret) cannot start outside libvirt.
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/run.h"
#include "support/test_data.h"

namespace sipl {
namespace {

const char* kQemu = "/usr/bin/qemu-system-s390x";

std::string domain_xml(const std::string& disk, bool console) {
  return "<domain type='qemu'>\n  <name>by-hand</name>\n  <memory unit='MiB'>512</memory>\n"
         "  <os>\n    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n  </os>\n"
         "  <devices>\n    <emulator>" + std::string(kQemu) + "</emulator>\n"
         "    <disk type='file' device='disk'>\n      <driver name='qemu' type='raw'/>\n"
         "      <source file='" + disk + "'/>\n      <target dev='vda' bus='virtio'/>\n"
         "      <boot order='1'/>\n    </disk>\n" +
         (console ? "    <console type='pty'><target type='sclp'/></console>\n" : "") + "  </devices>\n</domain>\n";
}

TEST(RunnableCommandLine, HasNoLibvirtOnlyParts) {
  test::TempDir dir;
  test::write_text(dir / "g.xml", domain_xml("/var/lib/images/g.img", true));
  auto libvirt = test::run_sipl({"domain", "to-qemu", dir / "g.xml"});
  auto runnable = test::run_sipl({"domain", "to-qemu", "--runnable", dir / "g.xml"});
  ASSERT_EQ(libvirt.exit_code, 0) << libvirt.err;
  ASSERT_EQ(runnable.exit_code, 0) << runnable.err;
  for (const char* part : {"USER=test", "fd=1729", "masterKey0", "-S \\", "-no-shutdown", "-sandbox"}) {
    EXPECT_NE(libvirt.out.find(part), std::string::npos) << part;
    EXPECT_EQ(runnable.out.find(part), std::string::npos) << part;
  }
  EXPECT_NE(runnable.out.find("-chardev stdio,id=charconsole0 \\\n"), std::string::npos) << runnable.out;
  EXPECT_NE(runnable.out.find("\"driver\":\"file\",\"filename\":\"/var/lib/images/g.img\""), std::string::npos);
  EXPECT_EQ(runnable.out.rfind(std::string(kQemu) + " \\\n", 0), 0u) << runnable.out;  // starts with the emulator
}

TEST(RunnableCommandLine, DebiansQemuBootsItAndShowsTheBiosConsole) {
  if (access(kQemu, X_OK) != 0) GTEST_SKIP() << "qemu-system-s390x not installed (scripts/deps.sh)";
  test::TempDir dir;
  ASSERT_EQ(test::sh("cp '" + test::corpus_disk("disk-h-sipl-secure") + "' '" + dir / "h.img" + "'").exit_code, 0);
  for (bool console : {true, false}) {  // the domain's sclp console, or the one --runnable adds
    test::write_text(dir / "g.xml", domain_xml(dir / "h.img", console));
    auto cl = test::run_sipl({"domain", "to-qemu", "--runnable", dir / "g.xml"});
    ASSERT_EQ(cl.exit_code, 0) << cl.err;
    test::write_text(dir / "run.sh", "exec " + cl.out);  // the shell becomes QEMU: one PID to stop
    // The BIOS prints within seconds; the kernel is not waited for.
    auto r = test::sh("cd '" + dir.path() + "'; sh run.sh > console.log 2>&1 & pid=$!; "
                      "for i in $(seq 1 120); do grep -q 'Using SCSI scheme' '" + dir / "console.log" +
                      "' && break; sleep 0.5; done; kill -9 $pid; wait $pid 2>/dev/null; cat '" + dir / "console.log" +
                      "' | head -c 4096");
    EXPECT_NE(r.out.find("LOADPARM=[        ]"), std::string::npos) << r.out << "\n" << cl.out;
    EXPECT_NE(r.out.find("Using virtio-blk."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Using SCSI scheme."), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace sipl
