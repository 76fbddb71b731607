// The whole library chain on the real Secure boot of the corpus (disk-h made by sipl from real
// parts, booted by a QEMU with the secure IPL series): hv builds the store from the three
// signers' certificates, fw runs the BIOS over the disk, guest reads the IPL report back and
// says what Linux prints. Expected: the `setup:` and `integrity:` lines and the sysfs values of
// tests/data/corpus/console/h-secure-three-signers.log, verbatim without timestamps.
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "sipl/base/time.h"
#include "sipl/fw/secure_ipl.h"
#include "sipl/guest/ipl_report.h"
#include "sipl/guest/ipl_report_json.h"
#include "sipl/guest/linux_console.h"
#include "sipl/hv/machine.h"
#include "sipl/hv/sparse_guest_memory.h"
#include "support/test_data.h"

namespace sipl {
namespace {

struct Console {
  std::vector<std::string> linux_lines;  // setup:/integrity: lines about the IPL, in order
  std::vector<std::string> sysfs;        // the initrd's "/sys/firmware/ipl/secure: 1" lines
};

// The console up to the initrd's own output (it echoes some dmesg lines again after it).
Console real_console() {
  std::ifstream in(test::data_path("corpus/console/h-secure-three-signers.log"));
  Console c;
  const std::regex kernel(R"(^\[\s*[0-9.]+\] ((setup: (Linux is running with Secure-IPL|The IPL report|[0-9a-f]{16} - ).*)|)"
                          R"((integrity: (Loading|Loaded|Problem|Error adding).*))$)");
  std::string line;
  bool userspace = false;
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.find("userspace /init reached") != std::string::npos) userspace = true;
    if (!userspace && std::regex_match(line, m, kernel)) c.linux_lines.push_back(m[1]);
    if (userspace && (line.rfind("/sys/firmware/ipl/secure:", 0) == 0 || line.rfind("/sys/firmware/ipl/has_secure:", 0) == 0))
      c.sysfs.push_back(line);
  }
  return c;
}

TEST(CorpusConsole, LibraryPredictsWhatLinuxPrintedForTheThreeSignerSecureBoot) {
  const Console want = real_console();
  ASSERT_EQ(want.linux_lines.size(), 2u + 8u + 7u);  // two setup lines, 8 components, 2+2+3 integrity lines
  ASSERT_EQ(want.sysfs.size(), 2u);

  hv::MachineOptions o;
  // CERTS/h-store: signer-a (rsa2048), signer-b (rsa4096), signer-c (ecp256), -cpu max, -m 1024.
  o.boot_certs = {test::corpus_cert("rsa2048.pem"), test::corpus_cert("rsa4096.pem"), test::corpus_cert("ecp256.pem")};
  o.secure_boot = true;
  o.cpu_model = "max";
  o.ram_bytes = 1024ull << 20;
  o.devices.push_back({hv::BootDeviceKind::kVirtioBlkCcw, test::corpus_disk("disk-h-sipl-secure"), 1, std::nullopt});
  auto m = hv::Machine::create(o, nullptr);
  ASSERT_TRUE(m) << m.error().to_string();
  hv::SparseGuestMemory mem(o.ram_bytes);
  auto r = fw::run_ipl(*m, mem, {parse_time("2026-07-03T00:00:00Z").value()});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->verdict, fw::Verdict::kBoots);

  auto v = guest::read_ipl_report_from_lowcore(mem, m->facilities().sipl);  // Debian 12's kernel
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(guest::linux_console(*v), want.linux_lines);

  // to_text: the sysfs values the initrd printed, then exactly Linux's lines, then the finding
  // that names the certificate Linux could not load.
  const std::string text = guest::to_text(*v);
  std::string expected = want.sysfs[0] + "\n" + want.sysfs[1] + "\n";
  for (const auto& l : want.linux_lines) expected += l + "\n";
  ASSERT_EQ(text.substr(0, expected.size()), expected);
  EXPECT_NE(text.find("warning: IPL report certificate 2 ('Acceptance Test: ECDSA P-256 code signing') is not in "
                      "the .platform keyring: ECDSA keys need ECDSA support built into the kernel"),
            std::string::npos)
      << text;

  // The keyring: the two RSA keys under the descriptions Linux logged; not the ECDSA one.
  const auto keys = v->platform_keyring();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ("integrity: Loaded X.509 cert '" + keys[0].description + "'", want.linux_lines[11]);
  EXPECT_EQ("integrity: Loaded X.509 cert '" + keys[1].description + "'", want.linux_lines[13]);
  ASSERT_EQ(v->findings.size(), 1u);
  EXPECT_EQ(v->findings[0].id, "guest.platform_key_not_loaded");
  const auto j = guest::to_json(*v);
  EXPECT_EQ(j["platform_keyring_loads"][2]["errno"], -2);
  EXPECT_EQ(j["linux_console"].size(), want.linux_lines.size());
}

}  // namespace
}  // namespace sipl
