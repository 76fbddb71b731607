// Against real QEMU: Debian 12's qemu-system-s390x (7.2) starts (-S) with the command line
// sipl generates for a guest without the new options and quits through QMP on a UNIX socket;
// it refuses the boot-certs options it does not have; `sipl domain caps` says bootCerts 'no'
// for it and 'yes' for a stub that answers like QEMU 11.2.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/json_schema.h"

#include "support/run.h"

extern char** environ;

namespace sipl {
namespace {

const char* kQemu = "/usr/bin/qemu-system-s390x";
const std::string kExamples = std::string(SIPL_SOURCE_DIR) + "/examples/domains/";

bool have_qemu() { return access(kQemu, X_OK) == 0; }

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// Sends QMP commands over the socket and returns everything QEMU answered (bounded).
std::string qmp_quit(const std::string& sock) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "connect failed";
  }
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string got;
  char buf[4096];
  auto recv_some = [&] {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
  };
  recv_some();  // greeting
  const std::string caps = "{\"execute\":\"qmp_capabilities\"}\n";
  const std::string quit = "{\"execute\":\"quit\"}\n";
  if (write(fd, caps.data(), caps.size()) < 0) return got;
  recv_some();
  if (write(fd, quit.data(), quit.size()) < 0) return got;
  recv_some();
  close(fd);
  return got;
}

TEST(RealQemu, AcceptsTheGeneratedCommandLineWithoutNewOptions) {
  if (!have_qemu()) GTEST_SKIP() << "qemu-system-s390x not installed (scripts/deps.sh)";
  test::TempDir dir;
  ASSERT_EQ(test::sh("qemu-img create -q -f qcow2 " + (dir / "disk.qcow2") + " 64M").exit_code, 0);
  test::write_text(dir / "key.aes", "0123456789abcdef0123456789abcdef");
  test::write_text(dir / "g.xml",
                   "<domain type='qemu'>\n  <name>plain</name>\n  <memory unit='MiB'>256</memory>\n"
                   "  <os>\n    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n"
                   "    <boot dev='hd'/>\n  </os>\n  <devices>\n"
                   "    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n"
                   "      <source file='" + (dir / "disk.qcow2") + "'/>\n"
                   "      <target dev='vda' bus='virtio'/>\n    </disk>\n"
                   "    <console type='pty'><target type='sclp'/></console>\n"
                   "  </devices>\n</domain>\n");
  auto r = test::run_sipl_json({"domain", "to-qemu", "--json", "--qemu", kQemu, dir / "g.xml"}).run;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  // libvirt passes the monitor as an inherited fd and keeps a master key; point both at files.
  std::string sock = dir / "mon.sock";
  std::vector<std::string> argv{kQemu};
  for (auto& a : j["args"]) {
    std::string s = a.get<std::string>();
    s = replace_all(s, "fd=1729", "path=" + sock);
    s = replace_all(s, "/var/lib/libvirt/qemu/domain--1-plain/master-key.aes", dir / "key.aes");
    argv.push_back(s);
  }
  EXPECT_NE(std::find(argv.begin(), argv.end(),
                      "s390-ccw-virtio-7.2,usb=off,dump-guest-core=off,memory-backend=s390.ram"),
            argv.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, kQemu, nullptr, nullptr, cargv.data(), environ), 0);
  struct stat st{};
  for (int i = 0; i < 200 && stat(sock.c_str(), &st) != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::string answer = qmp_quit(sock);
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 200 && !exited; ++i) {
    exited = waitpid(pid, &status, WNOHANG) == pid;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  EXPECT_TRUE(exited) << "QEMU did not quit";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(answer.find("\"QMP\""), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"reason\": \"host-qmp-quit\""), std::string::npos) << answer;
}

TEST(RealQemu, RejectsBootCertsItDoesNotHave) {
  if (!have_qemu()) GTEST_SKIP() << "qemu-system-s390x not installed";
  auto r = test::run({kQemu, "-machine", "s390-ccw-virtio,boot-certs.0.path=/etc/pki", "-nodefaults",
                      "-display", "none", "-S"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "qemu-system-s390x: Property 's390-ccw-virtio-7.2-machine.boot-certs' not found\n");
}

TEST(DomainCaps, RealQemu72CannotDoSecureIpl) {
  if (!have_qemu()) GTEST_SKIP() << "qemu-system-s390x not installed";
  auto v = test::sh(std::string(kQemu) + " --version | sed -n 's/^QEMU emulator version \\([0-9.]*\\).*/\\1/p'");
  auto r = test::run_sipl({"domain", "caps", "--qemu", kQemu});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("    <bootCerts supported='no'/>\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  <machine>s390-ccw-virtio-7.2</machine>\n"), std::string::npos) << r.out;
  auto j = test::run_sipl_json({"domain", "caps", "--json", "--qemu", kQemu}).run;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["version"].get<std::string>() + "\n", v.out);
  EXPECT_EQ(doc["boot_certs"], false);
  EXPECT_EQ(doc["secure_ipl_supported"], false);
  // The same binary cannot run a secure domain: an unsupported environment (exit 4).
  auto val = test::run_sipl({"domain", "validate", "--qemu", kQemu, kExamples + "libvirt-form.xml"});
  EXPECT_EQ(val.exit_code, 4);
  EXPECT_NE(val.out.find("error: unsupported configuration: boot certificates and secure-boot "
                         "need QEMU 11.2.0 or newer; this QEMU is " +
                         v.out.substr(0, v.out.size() - 1) + "\n"),
            std::string::npos)
      << val.out;
}

TEST(DomainCaps, StubQemu112CanDoSecureIpl) {
  test::TempDir dir;
  std::string stub = dir / "qemu-system-s390x";
  test::write_text(stub,
                   "#!/bin/sh\n"
                   "case \"$*\" in\n"
                   "  --version) echo 'QEMU emulator version 11.2.0'; echo 'Copyright (c) 2003-2026';;\n"
                   "  '-machine s390-ccw-virtio,help')\n"
                   "    echo 's390-ccw-virtio-11.2-machine options:'\n"
                   "    echo '  aes-key-wrap=<bool>    - enable/disable AES key wrapping'\n"
                   "    echo '  boot-certs=<BootCertificatesList> - provide paths to a directory and/or a certificate file for secure boot'\n"
                   "    echo '  secure-boot=<bool>     - enable/disable secure boot'\n"
                   "    echo '  usb=<bool>             - Set on/off to enable/disable usb';;\n"
                   "  '-cpu help')\n"
                   "    echo 's390 qemu            QEMU Virtual CPU version 2.5+       (migration-safe)'\n"
                   "    echo 's390 gen16a          IBM 3931 GA1                        (migration-safe)';;\n"
                   "  *) exit 1;;\n"
                   "esac\n");
  chmod(stub.c_str(), 0755);
  auto r = test::run_sipl({"domain", "caps", "--qemu", stub});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "<domainCapabilities>\n"
            "  <path>" + stub + "</path>\n"
            "  <domain>qemu</domain>\n"
            "  <machine>s390-ccw-virtio-11.2</machine>\n"
            "  <arch>s390x</arch>\n"
            "  <os supported='yes'>\n"
            "    <enum name='firmware'/>\n"
            "    <bootCerts supported='yes'/>\n"
            "  </os>\n"
            "  <cpu>\n"
            "    <mode name='custom' supported='yes'>\n"
            "      <model usable='unknown'>qemu</model>\n"
            "      <model usable='unknown'>gen16a</model>\n"
            "    </mode>\n"
            "  </cpu>\n"
            "</domainCapabilities>\n");
  auto val = test::run_sipl({"domain", "validate", "--qemu", stub, kExamples + "libvirt-form.xml"});
  EXPECT_EQ(val.exit_code, 0) << val.out;
}

TEST(DomainCaps, MissingBinaryIsUnsupportedEnvironment) {
  auto r = test::run_sipl({"domain", "caps", "--qemu", "/nonexistent/qemu-system-s390x"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err,
            "sipl: error: cannot run '/nonexistent/qemu-system-s390x': No such file or directory\n");
}

}  // namespace
}  // namespace sipl
