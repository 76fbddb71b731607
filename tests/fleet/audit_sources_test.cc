// `sipl audit` over real sources: libvirt's test:/// driver through the real API (it drops
// <boot-certs>: a finding), a libvirtd started here as root defining a domain in the
// <qemu:commandline> form for libvirt before 12.9 (virsh dumpxml and domxml-to-native as
// peers, virt-xml-validate for the written XML), and running processes whose command line is
// a qemu-system-s390x line (a real QEMU paused with -S, and a sleeper named so).
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/json_schema.h"
#include "support/openssl_cli.h"
#include "support/run.h"

extern char** environ;

namespace sipl {
namespace {

using ::testing::HasSubstr;

const nlohmann::json* find_guest(const nlohmann::json& doc, const std::string& key, const std::string& value) {
  for (const auto& g : doc["guests"])
    if (g[key] == value) return &g;
  return nullptr;
}

// A signed zipl disk and the certificate that verifies it (30 days), made once.
class AuditSources : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    ::chmod(dir_->path().c_str(), 0755);  // libvirtd's QEMU driver checks paths as libvirt-qemu
    sh("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout signer.key -out signer.pem -days 30 "
       "-subj /CN=audit-sources 2>/dev/null && head -c 16384 /dev/urandom > s3 && head -c 65536 /dev/urandom > k");
    const auto& d = *dir_;
    for (auto args : {std::vector<std::string>{"--sclab", "global", "--psw", "0x000800008000a000", "--load-addr",
                                               "0xa000", d / "s3"},
                      std::vector<std::string>{"--sclab", "plain", d / "k"}}) {
      std::vector<std::string> a{"sign", "--key", d / "signer.key", "--cert", d / "signer.pem"};
      a.insert(a.end(), args.begin(), args.end());
      ASSERT_EQ(test::run_sipl(a).exit_code, 0);
    }
    ASSERT_EQ(test::run_sipl({"mkdisk", "-o", d / "disk.img", "--stage3", d / "s3", "--kernel", d / "k"}).exit_code, 0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static void sh(const std::string& cmd) {
    auto r = test::sh("cd '" + dir_->path() + "' && " + cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  }
  static std::string domain(const std::string& name, std::string type = "kvm") {
    const auto& d = *dir_;
    return "<domain type='" + type + "'>\n  <name>" + name +
           "</name>\n  <memory unit='MiB'>512</memory>\n  <os>\n"
           "    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n"
           "    <firmware>\n      <feature enabled='yes' name='secure-boot'/>\n    </firmware>\n"
           "    <boot-certs>\n      <path>" + d / "signer.pem" + "</path>\n    </boot-certs>\n  </os>\n"
           "  <devices>\n    <emulator>/usr/bin/qemu-system-s390x</emulator>\n"
           "    <disk type='file' device='disk'>\n      <driver name='qemu' type='raw'/>\n"
           "      <source file='" + d / "disk.img" + "'/>\n      <target dev='vda' bus='virtio'/>\n"
           "    </disk>\n  </devices>\n</domain>\n";
  }
  static test::TempDir* dir_;
};
test::TempDir* AuditSources::dir_ = nullptr;

TEST_F(AuditSources, LibvirtTestDriverDropsBootCerts) {
  const auto& d = *dir_;
  std::string node = "<node>\n" + domain("td-secure") +
                     "<domain type='test'><name>td-x86</name><memory>1024</memory><os><type arch='x86_64'>hvm</type>"
                     "</os></domain>\n</node>\n";
  test::write_text(d / "node.xml", node);
  const std::string uri = "test://" + d / "node.xml";
  auto names = test::run({"virsh", "-c", uri, "list", "--all", "--name"});
  ASSERT_EQ(names.exit_code, 0) << names.err;
  EXPECT_EQ(names.out, "td-secure\ntd-x86\n\n");
  auto r = test::run_sipl_json({"audit", "--json", "--connect", uri});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.err;
  ASSERT_EQ(r.json["guests"].size(), 1u) << r.json.dump(2);
  const auto& g = r.json["guests"][0];
  EXPECT_EQ(g["name"], "td-secure");
  EXPECT_EQ(g["source"], uri);
  EXPECT_EQ(g["source_kind"], "libvirt");
  EXPECT_EQ(g["mode"], "normal");  // what the driver kept: no certificates, no secure-boot
  EXPECT_EQ(g["boot_certs_form"], "none");
  EXPECT_EQ(g["verdict"], "boots");
  ASSERT_EQ(g["findings"].size(), 1u);
  EXPECT_EQ(g["findings"][0]["id"], "audit.boot_certs_dropped");
  EXPECT_EQ(g["findings"][0]["severity"], "warning");
  ASSERT_EQ(r.json["findings"].size(), 1u);
  EXPECT_EQ(r.json["findings"][0]["id"], "audit.not_s390x");
  EXPECT_EQ(r.json["findings"][0]["params"]["name"], "td-x86");
}

TEST_F(AuditSources, UnreachableConnectionIsExit3) {
  auto r = test::run_sipl_json({"audit", "--json", "--connect", "test:///nonexistent/node.xml"});
  EXPECT_EQ(r.run.exit_code, 3);
  EXPECT_THAT(r.json["error"]["message"].get<std::string>(), HasSubstr("cannot connect to test:///nonexistent/node.xml: "));
}

// A libvirtd of our own: its sockets in a private directory (the QEMU driver's state is the
// system's /var/lib/libvirt/qemu and /etc/libvirt/qemu, as for any root libvirtd).
class Libvirtd {
 public:
  explicit Libvirtd(const test::TempDir& dir) : dir_(dir) {
    std::filesystem::create_directories(dir / "sock");
    test::write_text(dir / "libvirtd.conf", "unix_sock_dir = \"" + dir / "sock" +
                                                "\"\nlisten_tls = 0\nlisten_tcp = 0\nauth_unix_rw = \"none\"\n"
                                                "auth_unix_ro = \"none\"\n");
    auto r = test::run({"libvirtd", "-d", "--config", dir / "libvirtd.conf", "--pid-file", dir / "libvirtd.pid"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (int i = 0; i < 100 && !std::filesystem::exists(dir / "sock/libvirt-sock"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(std::filesystem::exists(dir / "sock/libvirt-sock"));
    uri = "qemu:///system?socket=" + dir / "sock/libvirt-sock";
  }
  ~Libvirtd() {
    pid_t pid = 0;
    try {
      pid = std::stoi(test::read_text(dir_ / "libvirtd.pid"));
    } catch (...) {
      return;
    }
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
  }
  std::string uri;

 private:
  const test::TempDir& dir_;
};

TEST_F(AuditSources, LibvirtdKeepsTheQemuCommandlineFormAndEveryVerbReadsIt) {
  if (::geteuid() != 0) GTEST_SKIP() << "libvirtd's QEMU driver needs root";
  const auto& d = *dir_;
  const std::string name = "sipl-audit-" + std::to_string(::getpid());
  test::write_text(d / "new.xml", domain(name, "qemu"));
  // The form for libvirt before 12.9, checked by libvirt's own schema.
  auto n = test::run_sipl({"domain", "normalize", "--libvirt-version", "9.0", d / "new.xml"});
  ASSERT_EQ(n.exit_code, 0) << n.err;
  const std::string machine = "boot-certs.0.path=" + d / "signer.pem" + ",secure-boot=on";
  EXPECT_THAT(n.out, HasSubstr("  </devices>\n  <qemu:commandline>\n    <qemu:arg value='-machine'/>\n    <qemu:arg value='" +
                               machine + "'/>\n  </qemu:commandline>\n</domain>\n"));
  EXPECT_THAT(n.out, HasSubstr("<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"));
  EXPECT_THAT(n.out, ::testing::Not(HasSubstr("boot-certs>")));
  EXPECT_THAT(n.out, ::testing::Not(HasSubstr("secure-boot'")));
  test::write_text(d / "old.xml", n.out);
  auto v = test::run({"virt-xml-validate", d / "old.xml", "domain"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_EQ(v.out + v.err, d / "old.xml" + " validates\n");  // virt-xml-validate says so on stderr

  Libvirtd daemon(d);
  auto def = test::run({"virsh", "-c", daemon.uri, "define", d / "old.xml"});
  ASSERT_EQ(def.exit_code, 0) << def.out << def.err;
  auto dump = test::run({"virsh", "-c", daemon.uri, "dumpxml", name});
  auto native = test::run({"virsh", "-c", daemon.uri, "domxml-to-native", "qemu-argv", "--domain", name});
  auto audit = test::run_sipl_json({"audit", "--json", "--horizon", "90d", "--connect", daemon.uri});
  test::run({"virsh", "-c", daemon.uri, "undefine", name});

  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_THAT(dump.out, HasSubstr("<qemu:arg value='" + machine + "'/>"));
  ASSERT_EQ(native.exit_code, 0) << native.err;
  EXPECT_THAT(native.out, HasSubstr(" -machine " + machine + " "));
  test::write_text(d / "dumped.xml", dump.out);

  // sipl's command line for libvirt's XML carries the same option where libvirt puts it.
  auto q = test::run_sipl({"domain", "to-qemu", d / "dumped.xml"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_THAT(q.out, HasSubstr("-machine " + machine + " \\\n-sandbox"));
  auto val = test::run_sipl_json({"domain", "validate", "--json", d / "dumped.xml"});
  EXPECT_EQ(val.json["boot_certs_form"], "qemu_commandline");
  EXPECT_EQ(val.json["mode"], "secure");
  auto boot = test::run_sipl_json({"boot", "--json", "--domain", d / "dumped.xml"});
  EXPECT_EQ(boot.json["verdict"], "boots");
  EXPECT_EQ(boot.json["mode"], "secure");
  bool said = false;
  for (const auto& f : boot.json["findings"]) said |= f["id"] == "boot.boot_certs_form";
  EXPECT_TRUE(said);
  // Back to libvirt 12.9's form.
  auto back = test::run_sipl({"domain", "normalize", d / "dumped.xml"});
  EXPECT_THAT(back.out, HasSubstr("    <boot dev='hd'/>\n    <boot-certs>\n      <path>" + d / "signer.pem" +
                                  "</path>\n    </boot-certs>\n    <firmware>\n      <feature enabled='yes' "
                                  "name='secure-boot'/>\n    </firmware>\n  </os>"));
  EXPECT_THAT(back.out, ::testing::Not(HasSubstr(machine)));

  EXPECT_EQ(audit.run.exit_code, 1) << audit.run.err;  // the certificate expires within 90 days
  const auto* g = find_guest(audit.json, "name", name);
  ASSERT_NE(g, nullptr) << audit.json.dump(2);
  EXPECT_EQ((*g)["boot_certs_form"], "qemu_commandline");
  EXPECT_EQ((*g)["mode"], "secure");
  EXPECT_EQ((*g)["verdict"], "boots");
  EXPECT_EQ((*g)["changes_at"], test::openssl_expiry_instant(d / "signer.pem"));
  EXPECT_EQ((*g)["verdict_then"], "halts");
}

// Starts argv with `env` added; returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (char** p = environ; *p != nullptr; ++p) e.push_back(*p);
  for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, a[0], &fa, nullptr, a.data(), e.data());
  posix_spawn_file_actions_destroy(&fa);
  EXPECT_EQ(rc, 0) << argv[0];
  return rc == 0 ? pid : -1;
}

void stop(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

TEST_F(AuditSources, RunningQemuProcesses) {
  const auto& d = *dir_;
  const std::string tag = std::to_string(::getpid());
  // A real QEMU, paused before the guest runs (Debian 12's 7.2 has no boot-certs: Normal mode).
  const pid_t real = spawn({"/usr/bin/qemu-system-s390x", "-S", "-display", "none", "-nodefaults", "-machine",
                            "s390-ccw-virtio", "-accel", "tcg", "-m", "512", "-name", "guest=proc-real-" + tag,
                            "-drive", "file=" + d / "disk.img" + ",if=none,id=d0,format=raw,readonly=on", "-device",
                            "virtio-blk-ccw,drive=d0,bootindex=1"});
  // A process whose command line is a Secure-mode qemu-system-s390x line.
  std::filesystem::create_symlink(std::filesystem::read_symlink("/proc/self/exe"), d / "qemu-system-s390x");
  const pid_t fake = spawn({d / "qemu-system-s390x", "-name", "guest=proc-secure-" + tag, "-machine",
                            "s390-ccw-virtio,boot-certs.0.path=" + d / "signer.pem" + ",secure-boot=on", "-cpu", "max",
                            "-drive", "file=" + d / "disk.img" + ",if=none,id=d0,format=raw", "-device",
                            "virtio-blk-ccw,drive=d0,bootindex=1"},
                           {"SIPL_TEST_SLEEP_SECONDS=60"});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // both have exec'd
  auto r = test::run_sipl_json({"audit", "--json", "--horizon", "10d", "--processes"});
  stop(real);
  stop(fake);
  std::filesystem::remove(d / "qemu-system-s390x");
  const auto* g = find_guest(r.json, "source", "/proc/" + std::to_string(real));
  ASSERT_NE(g, nullptr) << r.json.dump(2) << r.run.err;
  EXPECT_EQ((*g)["name"], "proc-real-" + tag);
  EXPECT_EQ((*g)["source_kind"], "process");
  EXPECT_EQ((*g)["boot_certs_form"], "argv");
  EXPECT_EQ((*g)["mode"], "normal");
  EXPECT_EQ((*g)["verdict"], "boots");
  g = find_guest(r.json, "source", "/proc/" + std::to_string(fake));
  ASSERT_NE(g, nullptr) << r.json.dump(2);
  EXPECT_EQ((*g)["name"], "proc-secure-" + tag);
  EXPECT_EQ((*g)["mode"], "secure");
  EXPECT_EQ((*g)["store"]["count"], 1);
  EXPECT_EQ((*g)["verdict"], "boots");
  EXPECT_EQ((*g)["changes_at"], nullptr);  // the certificate outlives a 10-day horizon
}

}  // namespace
}  // namespace sipl
